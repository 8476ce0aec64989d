/**
 * Checks every checkpoint against the base: same tensor names and shapes outside the
 * task-specific filter. Dtype differences are reported but allowed (everything merges in f32).
 */
import type { TensorInfo } from '../../io/types';
import type { CompatibilityIssue, CompatibilityReport, Methods } from '../protocol';
import type { CheckpointRegistry, LoadedCheckpoint } from './registry';

/** More than this many issues are counted, not sent: a wrong model has thousands. */
const MAX_LISTED = 200;

const shapeText = (t: TensorInfo) => `[${t.shape.join(', ')}]`;

function compareOne(
  base: LoadedCheckpoint,
  other: LoadedCheckpoint,
  isTaskSpecific: (name: string) => boolean,
): CompatibilityIssue[] {
  const issues: CompatibilityIssue[] = [];
  const at = { checkpointId: other.summary.id, checkpointName: other.summary.name };
  for (const [name, info] of base.tensors) {
    if (isTaskSpecific(name)) continue;
    const mine = other.tensors.get(name);
    if (!mine) issues.push({ ...at, kind: 'missing', tensor: name, expected: shapeText(info) });
    else if (shapeText(mine) !== shapeText(info)) {
      issues.push({
        ...at,
        kind: 'shape',
        tensor: name,
        expected: shapeText(info),
        actual: shapeText(mine),
      });
    }
  }
  for (const [name, info] of other.tensors) {
    if (!isTaskSpecific(name) && !base.tensors.has(name)) {
      issues.push({ ...at, kind: 'extra', tensor: name, actual: shapeText(info) });
    }
  }
  return issues;
}

export function checkCompatibility(
  registry: CheckpointRegistry,
  { ids, baseId, taskFilter }: Methods['checkCompatibility']['params'],
): CompatibilityReport {
  const base = registry.get(baseId);
  const filter = taskFilter.trim();
  const isTaskSpecific = (name: string) => filter !== '' && name.includes(filter);
  const others = ids.filter((id) => id !== baseId).map((id) => registry.get(id));
  const issues = others.flatMap((other) => compareOne(base, other, isTaskSpecific));
  const names = new Set<string>();
  for (const c of [base, ...others]) for (const name of c.tensors.keys()) names.add(name);
  const taskSpecific = [...names].filter(isTaskSpecific).sort();
  const merged = [...base.tensors.keys()].filter((n) => !isTaskSpecific(n)).length;
  return {
    baseId,
    taskFilter: filter,
    compatible: issues.length === 0,
    taskSpecific,
    mergedTensorCount: merged,
    issues: issues.slice(0, MAX_LISTED),
    omittedIssues: Math.max(0, issues.length - MAX_LISTED),
  };
}
