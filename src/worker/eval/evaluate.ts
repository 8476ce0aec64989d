/**
 * The evaluate handler: per-task accuracy on the demo zoo's test sets of a merged model (the
 * last in-memory merge) or of the fine-tunes themselves, on tfjs (WebGPU on the worker's
 * device, else the CPU). Each task is scored with its own head from its fine-tuned checkpoint.
 */
import { memorySource } from '../../io';
import { progressReporter } from '../../core/progress';
import { encoderOf, evaluateEncoder, evaluateIndividuals, mean } from '../../eval/zoo-table';
import type { Params as EncoderParams } from '../../eval/simple-merge';
import { readEncoder } from '../../eval/load-merged';
import { browserGpu } from '../../gpu/browser-gpu';
import { initTf, type TfDevice } from '../../tf/backend';
import { loadZoo, type LoadedZoo } from '../../zoo/load';
import type { Methods, Progress } from '../protocol';
import type { HandlerContext } from '../serve';
import { ZOO_URL } from '../demo/zoo';
import { gpuPreference } from '../merge/backend';
import type { TfPreference } from '../protocol';
import { useBundledWasm } from './wasmFiles';

type Params = Methods['evaluate']['params'];
type Result = Methods['evaluate']['result'];

let zoo: Promise<LoadedZoo> | undefined;
let device: Promise<TfDevice> | undefined;

/** The zoo with its test sets, fetched once per worker. */
export function theZoo(): Promise<LoadedZoo> {
  zoo ??= loadZoo(ZOO_URL).catch((error: unknown) => {
    zoo = undefined; // let a later attempt (after `npm run zoo`) try again
    throw error;
  });
  return zoo;
}

/**
 * `wasm`: tfjs (evaluation, AdaMerging's evaluation events and export) on WebAssembly even with
 * WebGPU (`?tf=wasm`); AdaMerging's step itself still runs on the fused WebGPU engine.
 */
let tfPreference: TfPreference = 'auto';

export function setTfPreference(value: TfPreference): void {
  tfPreference = value;
}

/**
 * WebGPU when the page allows it, else WebAssembly (then the plain CPU). On a software
 * adapter (lavapipe) tfjs's WebGPU backend is far slower than wasm, hence `?tf=wasm`.
 */
async function setUpDevice(): Promise<TfDevice> {
  const wantGpu = gpuPreference() === 'auto' && tfPreference === 'auto';
  const gpu = wantGpu ? await browserGpu() : null;
  if (gpu) return initTf('webgpu', { gpu });
  useBundledWasm();
  return initTf('wasm');
}

/** The bytes of the last in-memory merge, kept for evaluation (set by the merge handler). */
let lastMerged: Uint8Array | null = null;

export function rememberMerged(bytes: Uint8Array | null): void {
  lastMerged = bytes;
}

/** tfjs on the worker's WebGPU device (or the CPU), set up once and shared. */
export function tfDevice(): Promise<TfDevice> {
  device ??= setUpDevice();
  return device;
}

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

type ProgressEmit = (progress: Progress) => void;

/** The encoder a target names: the last merge's, or the base checkpoint's (zero-shot row). */
async function encoderFor(target: Params['target'], zoo: LoadedZoo): Promise<EncoderParams> {
  if (target === 'base') return encoderOf(zoo.base, zoo.manifest.headPrefix);
  if (!lastMerged) {
    throw Object.assign(new Error('There is no merged model in memory to evaluate: merge first.'), {
      code: 'nothing-to-evaluate',
    });
  }
  return readEncoder(memorySource(lastMerged, 'merged.safetensors'), zoo.manifest.model.config);
}

export async function evaluate(
  { target, label, limit, tasks }: Params,
  { signal, emit }: HandlerContext<'evaluate'>,
): Promise<Result> {
  const runsOn = await tfDevice();
  emit({ type: 'progress', progress: { status: 'initiate', task: 'loading the demo test sets' } });
  const loaded = onlyTasks(await theZoo(), tasks);
  signal.throwIfAborted();
  const encoder = target === 'individuals' ? target : await encoderFor(target, loaded);
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
