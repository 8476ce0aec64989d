/**
 * The analyzeTaskVectors handler: task vectors of the chosen fine-tunes against the base,
 * streamed tensor by tensor by src/analysis, with the task-specific filter applied.
 */
import { analyzeTaskVectors as analyze } from '../../analysis';
import { parseNameFilter } from '../../io';
import type { CheckpointRegistry } from '../checkpoints/registry';
import type { Methods } from '../protocol';
import type { HandlerContext } from '../serve';

export async function analyzeTaskVectors(
  registry: CheckpointRegistry,
  { baseId, ids, taskFilter }: Methods['analyzeTaskVectors']['params'],
  { signal, emit }: HandlerContext<'analyzeTaskVectors'>,
): Promise<Methods['analyzeTaskVectors']['result']> {
  const base = registry.get(baseId).checkpoint;
  const tasks = ids.filter((id) => id !== baseId).map((id) => registry.get(id).checkpoint);
  if (tasks.length === 0) {
    throw Object.assign(new Error('Load at least one fine-tune besides the base to analyse.'), {
      code: 'nothing-to-analyse',
    });
  }
  return analyze(base, tasks, {
    isTaskSpecific: parseNameFilter(taskFilter),
    signal,
    onProgress: (progress) => emit({ type: 'progress', progress }),
  });
}
