/**
 * The loadCheckpoints handler: plans checkpoints from the inputs, opens each (headers only),
 * and reports each one as it finishes, so one bad file never hides the good ones.
 */
import type { HandlerContext } from '../serve';
import type { Methods } from '../protocol';
import { toWireError } from '../errors';
import { toLoadUnit } from './inputs';
import { planCheckpoints } from './plan';
import { openCandidate, summarize } from './open';
import type { CheckpointRegistry } from './registry';

type Params = Methods['loadCheckpoints']['params'];
type Result = Methods['loadCheckpoints']['result'];

export async function loadCheckpoints(
  registry: CheckpointRegistry,
  { inputs }: Params,
  { signal, emit }: HandlerContext<'loadCheckpoints'>,
): Promise<Result> {
  const units = await Promise.all(inputs.map(toLoadUnit));
  const candidates = planCheckpoints(units);
  const ids = candidates.map(() => registry.nextId());
  candidates.forEach((c, i) => emit({ type: 'checkpointPending', id: ids[i]!, name: c.name }));
  const result: Result = { loaded: [], failed: [] };
  for (const [i, candidate] of candidates.entries()) {
    signal.throwIfAborted();
    const id = ids[i]!;
    emit({
      type: 'progress',
      progress: {
        status: 'progress',
        task: `reading ${candidate.name}`,
        done: i,
        total: candidates.length,
      },
    });
    try {
      const checkpoint = await openCandidate(candidate);
      const name = registry.uniqueName(candidate.name);
      const summary = summarize(id, name, checkpoint, candidate.fromFolder);
      registry.add({ summary, checkpoint });
      emit({ type: 'checkpointLoaded', summary });
      result.loaded.push(id);
    } catch (error) {
      emit({ type: 'checkpointFailed', id, name: candidate.name, error: toWireError(error) });
      result.failed.push(id);
    }
  }
  return result;
}
