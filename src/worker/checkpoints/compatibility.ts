/**
 * Checks every checkpoint against the base with io's check (same tensor names and shapes;
 * task-specific tensors and dtypes may differ) and shapes the answer for the UI.
 */
import { checkCompatibility as ioCheck, parseNameFilter } from '../../io';
import type { CompatibilityIssue, CompatibilityReport, Methods } from '../protocol';
import type { CheckpointRegistry } from './registry';

/** More than this many issues are counted, not sent: a wrong model has thousands. */
const MAX_LISTED = 200;

export function checkCompatibility(
  registry: CheckpointRegistry,
  { ids, baseId, taskFilter }: Methods['checkCompatibility']['params'],
): CompatibilityReport {
  const isTaskSpecific = parseNameFilter(taskFilter);
  const base = registry.get(baseId);
  // io treats the first checkpoint as the reference: the base goes first.
  const loaded = [base, ...ids.filter((id) => id !== baseId).map((id) => registry.get(id))];
  const idOf = new Map(loaded.map((c) => [c.summary.name, c.summary.id]));
  const inputs = loaded.map((c) => ({ name: c.summary.name, tensors: c.checkpoint.tensors }));
  const mismatches = ioCheck(inputs, { taskSpecific: isTaskSpecific });
  const issues: CompatibilityIssue[] = mismatches.map((m) => ({
    checkpointId: idOf.get(m.checkpoint) ?? '',
    checkpointName: m.checkpoint,
    severity: m.severity,
    kind: m.kind,
    tensor: m.tensor,
    message: m.message,
  }));
  const errors = issues.filter((i) => i.severity === 'error');
  const notes = issues.filter((i) => i.severity === 'info' && !isTaskSpecific(i.tensor));
  const names = new Set<string>();
  for (const c of loaded) for (const name of c.checkpoint.tensors.keys()) names.add(name);
  const listed = [...errors, ...notes];
  return {
    baseId,
    taskFilter,
    compatible: errors.length === 0,
    taskSpecific: [...names].filter(isTaskSpecific).sort(),
    mergedTensorCount: [...base.checkpoint.tensors.keys()].filter((n) => !isTaskSpecific(n)).length,
    errorCount: errors.length,
    issues: listed.slice(0, MAX_LISTED),
    omittedIssues: Math.max(0, listed.length - MAX_LISTED),
  };
}
