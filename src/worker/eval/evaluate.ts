/**
 * The evaluate handler: per-task accuracy on the demo zoo's test sets of a merged model (the
 * session's last in-memory merge) or of the fine-tunes themselves, on tfjs (WebGPU on the
 * worker's device, else the CPU). Each task is scored with its own head from its fine-tuned
 * checkpoint.
 */
import { memorySource } from '../../io';
import { evaluateEncoder, evaluateIndividuals, readEncoder } from '../../eval';
import type { LoadedZoo } from '../../zoo';
import type { Methods } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';

type Params = Methods['evaluate']['params'];
type Result = Methods['evaluate']['result'];

/** The zoo as seen by an evaluation of some tasks only (nothing is copied but the list). */
export function onlyTasks(zoo: LoadedZoo, tasks: string[] | undefined): LoadedZoo {
  if (!tasks) return zoo;
  const wanted = new Set(tasks);
  const kept = zoo.manifest.tasks.filter((t) => wanted.has(t.name));
  if (kept.length !== wanted.size) {
    const known = zoo.manifest.tasks.map((t) => t.name).join(', ');
    throw Object.assign(new Error(`Unknown task in ${tasks.join(', ')}; the demo has ${known}.`), {
      code: 'unknown-task',
    });
  }
  return { ...zoo, manifest: { ...zoo.manifest, tasks: kept } };
}

export async function evaluate(
  session: StudioSession,
  { target, label, limit, tasks }: Params,
  { signal, emit }: HandlerContext<'evaluate'>,
): Promise<Result> {
  const runsOn = await session.tfDevice();
  emit({ type: 'progress', progress: { status: 'initiate', task: 'loading the demo test sets' } });
  const loaded = onlyTasks(await session.theZoo(), tasks);
  signal.throwIfAborted();
  emit({ type: 'progress', progress: { status: 'initiate', task: `evaluating ${label}` } });
  const options = { limit, config: loaded.manifest.model.config };
  let row;
  if (target === 'individuals') {
    row = await evaluateIndividuals(loaded, { limit });
  } else {
    if (!session.lastMerged) {
      throw Object.assign(
        new Error('There is no merged model in memory to evaluate: merge first.'),
        {
          code: 'nothing-to-evaluate',
        },
      );
    }
    const encoder = await readEncoder(
      memorySource(session.lastMerged, 'merged.safetensors'),
      options.config,
    );
    row = await evaluateEncoder(label, encoder, loaded, options);
  }
  return {
    label,
    accuracy: row.perTask,
    average: row.average,
    tasks: loaded.manifest.tasks.map((t) => ({ name: t.name, title: t.title })),
    device: runsOn,
  };
}
