/**
 * The merge handler: plans the recipe against loaded checkpoints (everything is validated
 * before a byte is written), then streams it to memory or a user-picked file with progress.
 * Cancelling aborts the output, so no half-written file remains.
 */
import { memorySink, writableStreamSink, type ByteSink, type Checkpoint } from '../../io';
import {
  executeMerge,
  getMethod,
  modulatorsBeside,
  planMerge,
  taskModels,
  usesBase,
} from '../../merge';
import type { CheckpointRegistry } from '../checkpoints/registry';
import type { MergeOutcome, Methods } from '../protocol';
import { Transfer, type HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { chooseMergeBackend } from './backend';

type Params = Methods['merge']['params'];

export function inputsOf(
  registry: CheckpointRegistry,
  recipe: Params['recipe'],
): Map<string, Checkpoint> {
  const method = getMethod(recipe.mergeMethod);
  const wanted = taskModels(recipe, method).map((m) => m.model);
  if (usesBase(recipe, method) && recipe.baseModel) wanted.push(recipe.baseModel);
  const map = new Map<string, Checkpoint>();
  for (const name of wanted) {
    const found = registry.byName(name);
    if (found) map.set(name, found.checkpoint);
  }
  return map; // planMerge names any model that is missing here
}

async function openTarget(target: Params['target']): Promise<{ sink: ByteSink; fileName: string }> {
  if (target.kind === 'memory')
    return { sink: memorySink(target.fileName), fileName: target.fileName };
  const stream = await target.handle.createWritable();
  return { sink: writableStreamSink(stream, target.handle.name), fileName: target.handle.name };
}

/** The UI's copy of EMR's modulators (a download beside the merged file, transferred). */
const uiCopy = (fileName: string, bytes: Uint8Array, rescalers: number[]) => ({
  fileName,
  bytes: bytes.slice(),
  rescalers,
});

export async function runMerge(
  session: StudioSession,
  { recipe, target }: Params,
  { signal, emit }: HandlerContext<'merge'>,
): Promise<MergeOutcome | Transfer<MergeOutcome>> {
  const inputs = inputsOf(session.registry, recipe);
  const plan = await planMerge(recipe, inputs);
  const backend = await chooseMergeBackend(session);
  try {
    const { sink, fileName } = await openTarget(target);
    // EMR's per-task masks and rescalers (compact: T bits per weight) are kept in memory.
    const modulatorSink =
      plan.method.name === 'emr' ? memorySink(modulatorsBeside(fileName)) : undefined;
    const summary = await executeMerge(plan, backend, sink, {
      signal,
      onProgress: (progress) => emit({ type: 'progress', progress }),
      ...(modulatorSink ? { modulatorOutput: modulatorSink } : {}),
    });
    const outcome: MergeOutcome = {
      fileName,
      device: backend.name,
      tensors: summary.tensors,
      merged: summary.merged,
      copied: summary.copied,
      bytesWritten: summary.bytesWritten,
      seconds: summary.seconds,
      nonFinite: summary.nonFinite,
      warnings: plan.warnings,
    };
    const modulators = modulatorSink?.bytes();
    const transfers: ArrayBuffer[] = [];
    if (modulatorSink && modulators) {
      outcome.modulators = uiCopy(modulatorSink.name, modulators, summary.emrRescalers ?? []);
      transfers.push(outcome.modulators.bytes.buffer as ArrayBuffer);
    }
    if (target.kind !== 'memory' || !('bytes' in sink)) return new Transfer(outcome, transfers);
    const bytes = (sink as ReturnType<typeof memorySink>).bytes();
    // The worker keeps its copies for evaluation; the UI gets the others, transferred.
    session.lastMerged = bytes;
    session.lastMergedFrom = [...inputs.keys()];
    const base = plan.recipe.baseModel ? inputs.get(plan.recipe.baseModel) : undefined;
    session.lastModulators = modulators && base ? { bytes: modulators, base } : null;
    const forUi = bytes.slice();
    return new Transfer({ ...outcome, bytes: forUi }, [forUi.buffer, ...transfers]);
  } finally {
    backend.dispose();
  }
}
