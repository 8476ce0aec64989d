/**
 * The evaluate handler: per-task accuracy on the demo zoo's test sets of a merged model (the
 * session's last in-memory merge), of the base checkpoint through each task's head (the
 * zero-shot row), or of the fine-tunes themselves, on the tfjs backend the worker measured to
 * be fastest (backend-probe.ts). Each task is scored with its own head from its fine-tuned
 * checkpoint, through the same ZooScorer as Live (scorers.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Params as EncoderParams } from '../../core';
import { progressReporter } from '../../core';
import {
  accuracies,
  encoderOf,
  mean,
  checkModulatorsCover,
  modulatedEncoder,
  readEncoder,
  readModulators,
} from '../../eval';
import { memorySource } from '../../io';
import { toTensors } from '../../models';
import type { LoadedZoo } from '../../zoo';
import type { Methods, Progress } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { countInChunks, EVALUATION_CHUNK, scorerFor } from './scorers';

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

interface ScoreOptions {
  /** The tasks to score (default all); the zoo stays whole so the scorers' caches are shared. */
  tasks?: string[];
  limit?: number;
  signal: AbortSignal;
  emit: ProgressEmit;
}

/** One encoder's scoring job: the encoder tensors (disposed after) and the tasks it answers. */
interface Pass {
  tasks: string[];
  encoder: () => Map<string, tf.Tensor>;
}

/** A model per task (each fine-tune, or an EMR merge's modulated models), built as its pass starts. */
export interface PerTaskEncoders {
  perTask: (task: string) => EncoderParams;
}

/** What an encoder, or one encoder per task, scores with: one pass, or one pass per task. */
function passesFor(
  encoder: EncoderParams | 'individuals' | PerTaskEncoders,
  zoo: LoadedZoo,
  tasks: string[],
): Pass[] {
  if (encoder instanceof Map) return [{ tasks, encoder: () => toTensors(encoder) }];
  const perTask =
    encoder === 'individuals'
      ? (task: string) => encoderOf(zoo.checkpoints.get(task)!, zoo.manifest.headPrefix)
      : encoder.perTask;
  return tasks.map((task) => ({ tasks: [task], encoder: () => toTensors(perTask(task)) }));
}

/**
 * Scores `encoder` with each task's head (or, for `'individuals'`, each fine-tune on its own
 * task; for `perTask`, each task's own encoder) on the fast ZooScorer path, in chunks of a few images per task: the UI gets a progress
 * event (images done of all, rate, ETA) after every chunk and a cancel lands between chunks.
 * Also used for AdaMerging's final score.
 */
export async function scoreOnZoo(
  label: string,
  encoder: EncoderParams | 'individuals' | PerTaskEncoders,
  zoo: LoadedZoo,
  session: StudioSession,
  { tasks = zoo.manifest.tasks.map((t) => t.name), limit, signal, emit }: ScoreOptions,
): Promise<{ perTask: Record<string, number>; average: number }> {
  const images = (name: string) => Math.min(zoo.testSets.get(name)?.count ?? 0, limit ?? Infinity);
  const total = tasks.reduce((n, t) => n + images(t), 0);
  const report = progressReporter(`evaluating ${label}`, total, (progress) => emit(progress));
  const perTask: Record<string, number> = {};
  for (const pass of passesFor(encoder, zoo, tasks)) {
    signal.throwIfAborted();
    const scorer = scorerFor(session.explore, zoo, pass.tasks);
    const to = Math.max(...pass.tasks.map(images));
    const tensors = pass.encoder();
    try {
      const counts = await countInChunks(
        scorer,
        tensors,
        { from: 0, to },
        {
          signal,
          onChunk: (n) => report.advance(n),
          chunk: EVALUATION_CHUNK,
        },
      );
      Object.assign(perTask, accuracies(counts));
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }
  report.finish();
  return { perTask, average: mean(Object.values(perTask)) };
}

/**
 * The encoder a target names: the last merge's (an EMR merge's: each task's own modulated
 * model, as `eval --modulators`, unless `unified`), or the base checkpoint's (zero-shot row).
 */
async function encoderFor(
  session: StudioSession,
  { target, unified }: Params,
  zoo: LoadedZoo,
): Promise<EncoderParams | PerTaskEncoders> {
  if (target === 'base') return encoderOf(zoo.base, zoo.manifest.headPrefix);
  if (!session.lastMerged) {
    throw Object.assign(new Error('There is no merged model in memory to evaluate: merge first.'), {
      code: 'nothing-to-evaluate',
    });
  }
  const merged = await readEncoder(
    memorySource(session.lastMerged, 'merged.safetensors'),
    zoo.manifest.model.config,
  );
  if (!session.lastModulators || unified) return merged;
  const { bytes, base } = session.lastModulators;
  const modulators = await readModulators(
    memorySource(bytes, 'emr_modulators.safetensors'),
    merged,
  );
  checkModulatorsCover(modulators, zoo.manifest.tasks);
  // θ₀ is the merge's own base model (not necessarily the zoo's).
  const theta0: EncoderParams = new Map();
  for (const [name, { shape }] of merged)
    if (modulators.masks.has(name)) theta0.set(name, { shape, data: await base.readF32(name) });
  const task = (name: string) => zoo.manifest.tasks.find((t) => t.name === name)!;
  return { perTask: (name) => modulatedEncoder(merged, modulators, theta0, task(name)) };
}

export async function evaluate(
  session: StudioSession,
  params: Params,
  { signal, emit }: HandlerContext<'evaluate'>,
): Promise<Result> {
  const { target, label, limit, tasks } = params;
  const runsOn = await session.tfDevice();
  emit({ type: 'progress', progress: { status: 'initiate', task: 'loading the demo test sets' } });
  const zoo = await session.theZoo();
  const loaded = onlyTasks(zoo, tasks);
  signal.throwIfAborted();
  const encoder = target === 'individuals' ? target : await encoderFor(session, params, loaded);
  const row = await scoreOnZoo(label, encoder, zoo, session, {
    tasks: loaded.manifest.tasks.map((t) => t.name),
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
