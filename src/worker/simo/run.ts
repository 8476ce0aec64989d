/**
 * The SIMO table in the worker: the core's runSimo on the loaded pool with the panel's split,
 * merge and fix, on the session's tfjs device. Progress is done/total over every fix step
 * (with the phase), each step's loss is an event (the live curves), Pause waits between steps,
 * and the session's last run is replaced only when this one finishes.
 */
import {
  FitCancelledError,
  PauseToken,
  runSimo,
  simoMerge,
  simoRelationship,
  type LoadedSimoPool,
  type SimoModel,
} from '../../adapt';
import { validationCount } from '../../data';
import type { Methods } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import type { SimoRunOptions, SimoSplit } from './protocol';
import { simoError } from './state';

const startsWithAny = (name: string, prefixes: string[]) =>
  prefixes.some((p) => name.startsWith(p));

/** Every tensor of every file is either shared or task-specific, never both, never neither. */
export function checkSplit(pool: LoadedSimoPool, split: SimoSplit): void {
  const { manifest } = pool;
  const files: [string, Map<string, unknown>][] = [
    [manifest.base, pool.base],
    ...manifest.config.tasks.map((t): [string, Map<string, unknown>] => [
      manifest.singles[t.name]!,
      pool.singles.get(t.name)!,
    ]),
  ];
  const shown = (p: string[]) => (p.length ? p.join(', ') : 'none');
  for (const [file, params] of files)
    for (const name of params.keys()) {
      const shared = startsWithAny(name, split.shared);
      const specific = startsWithAny(name, split.taskSpecific);
      if (shared && specific)
        throw simoError('bad-split', `${file}: tensor ${name} is both shared and task-specific`);
      if (!shared && !specific)
        throw simoError(
          'bad-split',
          `${file}: tensor ${name} is neither shared (${shown(split.shared)}) nor task-specific (${shown(split.taskSpecific)}); add its prefix to one`,
          file,
        );
    }
}

/** The fix steps a run will take (the progress total). */
export function fixSteps(options: SimoRunOptions, tasks: number): number {
  const heads = options.fix === 'heads' || options.fix === 'both' ? tasks * options.steps : 0;
  const repr = options.fix === 'representation' || options.fix === 'both' ? options.steps : 0;
  return heads + repr;
}

function checkOptions(pool: LoadedSimoPool, options: SimoRunOptions): void {
  if (!(options.valFraction >= 0 && options.valFraction <= 1))
    throw simoError(
      'bad-option',
      `validation fraction must be in [0, 1], got ${options.valFraction}`,
    );
  if (!(Number.isInteger(options.steps) && options.steps >= 1))
    throw simoError('bad-option', `steps must be a whole number ≥ 1, got ${options.steps}`);
  if (!(options.lambda > 0)) throw simoError('bad-option', `λ must be > 0, got ${options.lambda}`);
  const d = options.density ?? 0.2;
  if (options.method === 'ties' && !(d > 0 && d <= 1))
    throw simoError('bad-option', `TIES density must be in (0, 1], got ${d}`);
  checkSplit(pool, options.split);
}

export async function simoRun(
  session: StudioSession,
  { options }: Methods['simoRun']['params'],
  { signal, emit }: HandlerContext<'simoRun'>,
): Promise<Methods['simoRun']['result']> {
  const { simo } = session;
  if (simo.pause) throw simoError('busy', 'SIMO is already running.');
  const pool = simo.thePool();
  checkOptions(pool, options);
  const device = await session.tfDevice();
  const { merge, label } = simoMerge(options.method, options.lambda, options.density);
  const total = fixSteps(options, pool.manifest.config.tasks.length);
  let done = 0;
  let phase = 'evaluating the single-task models';
  const progress = () =>
    emit({ type: 'progress', progress: { status: 'progress', task: phase, done, total } });
  progress();
  const models = new Map<string, SimoModel>();
  const pause = new PauseToken();
  simo.pause = pause;
  const t0 = performance.now();
  try {
    const rows = await runSimo(pool, {
      merge,
      mergeLabel: label,
      fix: options.fix,
      valFraction: options.valFraction,
      steps: options.steps,
      rank: options.rank,
      peakLr: options.peakLr,
      testLimit: options.testLimit,
      taskSpecific: options.split.taskSpecific,
      signal,
      pause: {
        // One macrotask a step: tfjs-wasm readbacks resolve in microtasks, so without it the
        // cancel and pause messages would wait for the run's end.
        wait: async (s) => {
          await new Promise((resolve) => setTimeout(resolve, 0));
          await pause.wait(s);
        },
      },
      onProgress: (p) => {
        if (p.status === 'progress') return;
        phase = p.status === 'initiate' ? p.task : `evaluating after ${p.task}`;
        progress();
      },
      onLoss: (task, step, loss) => {
        done++;
        emit({ type: 'loss', task, step, loss });
        if (done % 5 === 0 || done === total) progress();
      },
      onModel: (row, model) => models.set(row, model),
    });
    const result = {
      rows,
      mergeLabel: label,
      valImages: validationCount(pool.manifest.data.train, options.valFraction),
      device,
      seconds: (performance.now() - t0) / 1000,
    };
    simo.last = { options, result, models };
    return result;
  } catch (error) {
    if (error instanceof FitCancelledError || signal.aborted)
      throw Object.assign(new Error('Cancelled.'), { name: 'AbortError' });
    throw error;
  } finally {
    simo.pause = null;
  }
}

export function simoPause(
  session: StudioSession,
  { paused }: Methods['simoPause']['params'],
): { paused: boolean } {
  const pause = session.simo.pause;
  if (!pause) return { paused: false };
  if (paused) pause.pause();
  else pause.resume();
  return { paused: pause.paused };
}

export async function simoRelations(
  session: StudioSession,
  params: Methods['simoRelations']['params'],
  { emit }: HandlerContext<'simoRelations'>,
): Promise<Methods['simoRelations']['result']> {
  const pool = session.simo.thePool();
  const options = params.options ?? session.simo.theLastRun().options;
  checkOptions(pool, options);
  await session.tfDevice();
  const { merge } = simoMerge(options.method, options.lambda, options.density);
  const task = 'task relationship: every pairwise merge';
  emit({ type: 'progress', progress: { status: 'initiate', task } });
  return simoRelationship(pool, merge, options.testLimit, options.split.taskSpecific);
}
