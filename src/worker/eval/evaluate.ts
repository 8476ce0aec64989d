/**
 * The evaluate handler: per-task accuracy on the demo zoo's test sets of a merged model (the
 * session's last in-memory merge), of the base checkpoint through each task's head (the
 * zero-shot row), or of the fine-tunes themselves, on tfjs (WebGPU on the worker's device,
 * else the CPU). Each task is scored with its own head from its fine-tuned checkpoint.
 */
import type { Params as EncoderParams } from '../../core';
import { progressReporter } from '../../core';
import { encoderOf, evaluateEncoder, evaluateIndividuals, mean, readEncoder } from '../../eval';
import { memorySource } from '../../io';
import type { LoadedZoo } from '../../zoo';
import type { Methods, Progress } from '../protocol';
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

type ProgressEmit = (progress: Progress) => void;

/**
 * Scores `encoder` with each task's head (or, for `'individuals'`, each fine-tune on its own
 * task) one task at a time, so the UI gets a progress event (images done of all, rate, ETA)
 * after every task and a cancel lands between tasks. Also used for AdaMerging's final score.
 */
export async function scoreTaskByTask(
  label: string,
  encoder: EncoderParams | 'individuals',
  zoo: LoadedZoo,
  { limit, signal, emit }: { limit?: number; signal: AbortSignal; emit: ProgressEmit },
): Promise<{ perTask: Record<string, number>; average: number }> {
  const tasks = zoo.manifest.tasks;
  const images = (name: string) => Math.min(zoo.testSets.get(name)?.count ?? 0, limit ?? Infinity);
  const total = tasks.reduce((n, t) => n + images(t.name), 0);
  const report = progressReporter(`evaluating ${label}`, total, (progress) => emit(progress));
  const perTask: Record<string, number> = {};
  for (const task of tasks) {
    signal.throwIfAborted();
    const one = onlyTasks(zoo, [task.name]);
    const row =
      encoder === 'individuals'
        ? await evaluateIndividuals(one, { limit })
        : await evaluateEncoder(label, encoder, one, { limit, config: zoo.manifest.model.config });
    Object.assign(perTask, row.perTask);
    report.advance(images(task.name));
  }
  report.finish();
  return { perTask, average: mean(Object.values(perTask)) };
}

/** The encoder a target names: the last merge's, or the base checkpoint's (zero-shot row). */
async function encoderFor(
  session: StudioSession,
  target: Params['target'],
  zoo: LoadedZoo,
): Promise<EncoderParams> {
  if (target === 'base') return encoderOf(zoo.base, zoo.manifest.headPrefix);
  if (!session.lastMerged) {
    throw Object.assign(new Error('There is no merged model in memory to evaluate: merge first.'), {
      code: 'nothing-to-evaluate',
    });
  }
  return readEncoder(
    memorySource(session.lastMerged, 'merged.safetensors'),
    zoo.manifest.model.config,
  );
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
  const encoder = target === 'individuals' ? target : await encoderFor(session, target, loaded);
  const row = await scoreTaskByTask(label, encoder, loaded, {
    limit,
    signal,
    emit: (progress) => emit({ type: 'progress', progress }),
  });
  return {
    label,
    accuracy: row.perTask,
    average: row.average,
    tasks: loaded.manifest.tasks.map((t) => ({ name: t.name, title: t.title })),
    device: runsOn,
  };
}
