/**
 * The evaluate handler: per-task accuracy of a merged model (the session's last in-memory
 * merge), of the base checkpoint through each task's head (the zero-shot row), or of the
 * fine-tunes themselves, on the tfjs backend the worker measured to be fastest
 * (backend-probe.ts). The tasks are a suite's (suite.ts): the demo zoo's test sets with each
 * fine-tune's head, or the CLIP panel's tasks with their zero-shot heads, whichever the
 * checkpoints belong to; every row goes through the same scorers as Live (scorers.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Params as EncoderParams } from '../../core';
import { progressReporter } from '../../core';
import {
  accuracies,
  mean,
  checkModulatorsCover,
  modulatedEncoder,
  readModulators,
  type EncoderScorer,
} from '../../eval';
import { memorySource } from '../../io';
import { toTensors } from '../../models';
import type { Methods, Progress } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { countInChunks, EVALUATION_CHUNK, type ScoringSuite } from './scorers';
import { chooseTasks, suiteFor } from './suite';

type Params = Methods['evaluate']['params'];
type Result = Methods['evaluate']['result'];

type ProgressEmit = (progress: Progress) => void;

interface ScoreOptions {
  /** The tasks to score (default all); the suite stays whole so the scorers' caches are shared. */
  tasks?: string[];
  limit?: number;
  signal: AbortSignal;
  emit: ProgressEmit;
}

/** One encoder's scoring job: the scorer, the encoder tensors (disposed after), the tasks. */
interface Pass {
  tasks: string[];
  scorer: EncoderScorer;
  encoder: () => Promise<Map<string, tf.Tensor>>;
}

/** A model per task (each fine-tune, or an EMR merge's modulated models), built as its pass starts. */
export interface PerTaskEncoders {
  perTask: (task: string) => EncoderParams;
}

/** What an encoder, or one encoder per task, scores with: one pass, or one pass per task. */
function passesFor(
  encoder: EncoderParams | 'individuals' | PerTaskEncoders,
  suite: ScoringSuite,
  tasks: string[],
): Pass[] {
  if (encoder instanceof Map)
    return [
      { tasks, scorer: suite.scorer(tasks), encoder: () => Promise.resolve(toTensors(encoder)) },
    ];
  if (encoder === 'individuals')
    return tasks.map((task) => ({
      tasks: [task],
      scorer: suite.scorer([task], true),
      encoder: async () => toTensors(await suite.individual(task)),
    }));
  return tasks.map((task) => ({
    tasks: [task],
    scorer: suite.scorer([task]),
    encoder: () => Promise.resolve(toTensors(encoder.perTask(task))),
  }));
}

/**
 * An evaluation during learning (AdaMerging's accuracy-per-task chart): the merged encoder,
 * already on the device, through the suite's scorer of all its tasks, on the first `limit`
 * images of each (all when absent). `images` is the smallest test set scored.
 */
export async function evaluationOnSuite(
  encoder: Map<string, tf.Tensor>,
  suite: ScoringSuite,
  { limit, signal }: { limit?: number; signal: AbortSignal },
): Promise<{ accuracyPerTask: number[]; average: number; images: number }> {
  const names = suite.tasks.map((t) => t.name);
  const to = Math.min(Math.max(...names.map((n) => suite.size(n))), limit ?? Infinity);
  const counts = await countInChunks(
    suite.scorer(names),
    encoder,
    { from: 0, to },
    { signal, chunk: EVALUATION_CHUNK },
  );
  const byTask = accuracies(counts);
  const accuracyPerTask = names.map((n) => byTask[n] ?? 0);
  const images = Math.min(...names.map((n) => counts.total[n] ?? 0));
  return { accuracyPerTask, average: mean(accuracyPerTask), images };
}

/**
 * Scores `encoder` with each task's head (or, for `'individuals'`, each fine-tune on its own
 * task; for `perTask`, each task's own encoder), in chunks of a few images per task: the UI
 * gets a progress event (images done of all, rate, ETA) after every chunk and a cancel lands
 * between chunks. Also used for AdaMerging's final score.
 */
export async function scoreOnSuite(
  label: string,
  encoder: EncoderParams | 'individuals' | PerTaskEncoders,
  suite: ScoringSuite,
  { tasks = suite.tasks.map((t) => t.name), limit, signal, emit }: ScoreOptions,
): Promise<{ perTask: Record<string, number>; average: number }> {
  const images = (name: string) => Math.min(suite.size(name), limit ?? Infinity);
  const total = tasks.reduce((n, t) => n + images(t), 0);
  const report = progressReporter(`evaluating ${label}`, total, (progress) => emit(progress));
  const perTask: Record<string, number> = {};
  for (const pass of passesFor(encoder, suite, tasks)) {
    signal.throwIfAborted();
    const to = Math.max(...pass.tasks.map(images));
    const tensors = await pass.encoder();
    try {
      const counts = await countInChunks(
        pass.scorer,
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
 * An EMR merge's per-task modulated models, as `eval --modulators` scores them: each of the
 * suite's tasks (zoo or CLIP) keyed in the modulators by the checkpoint its recipe merged.
 */
async function modulatedOf(
  session: StudioSession,
  merged: EncoderParams,
  suite: ScoringSuite,
): Promise<PerTaskEncoders> {
  const { bytes, base } = session.lastModulators!;
  const modulators = await readModulators(
    memorySource(bytes, 'emr_modulators.safetensors'),
    merged,
  );
  const task = (name: string) => ({ name, checkpoint: suite.checkpointOf(name) });
  checkModulatorsCover(
    modulators,
    suite.tasks.map((t) => task(t.name)),
  );
  // θ₀ is the merge's own base model (not necessarily the zoo's).
  const theta0: EncoderParams = new Map();
  for (const [name, { shape }] of merged)
    if (modulators.masks.has(name)) theta0.set(name, { shape, data: await base.readF32(name) });
  return { perTask: (name) => modulatedEncoder(merged, modulators, theta0, task(name)) };
}

/**
 * The encoder a target names: the last merge's (an EMR merge's: each task's own modulated
 * model, as `eval --modulators`, unless `unified`), or the base checkpoint's (zero-shot row).
 */
async function encoderFor(
  session: StudioSession,
  { target, unified }: Params,
  suite: ScoringSuite,
): Promise<EncoderParams | PerTaskEncoders> {
  if (target === 'base') return suite.base();
  if (!session.lastMerged) {
    throw Object.assign(new Error('There is no merged model in memory to evaluate: merge first.'), {
      code: 'nothing-to-evaluate',
    });
  }
  const merged = await suite.readMerged(session.lastMerged, 'merged.safetensors');
  if (!session.lastModulators || unified) return merged;
  return modulatedOf(session, merged, suite);
}

/** The checkpoints a target is about: the last merge's, or the base the page names. */
const modelsOf = (session: StudioSession, { target, base }: Params): string[] =>
  target === 'merged' ? session.lastMergedFrom : base ? [base] : [];

export async function evaluate(
  session: StudioSession,
  params: Params,
  { signal, emit }: HandlerContext<'evaluate'>,
): Promise<Result> {
  const { target, label, limit, tasks } = params;
  const runsOn = await session.tfDevice();
  emit({ type: 'progress', progress: { status: 'initiate', task: 'loading the test sets' } });
  const suite = await suiteFor(session, modelsOf(session, params));
  const chosen = chooseTasks(suite, tasks);
  signal.throwIfAborted();
  const encoder = target === 'individuals' ? target : await encoderFor(session, params, suite);
  const row = await scoreOnSuite(label, encoder, suite, {
    tasks: chosen.map((t) => t.name),
    limit,
    signal,
    emit: (progress) => emit({ type: 'progress', progress }),
  });
  return { label, accuracy: row.perTask, average: row.average, tasks: chosen, device: runsOn };
}
