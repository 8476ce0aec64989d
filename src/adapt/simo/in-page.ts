/**
 * Browser entries for the SIMO fixes (called by e2e/simo-training.e2e.ts and bench/simo.ts
 * through callInPage), on the demo pool the Vite server serves from public/simo:
 * - the training step on WebGPU against tfjs's cpu backend on the same inputs: the first
 *   gradients of both fixes, and the losses and tensors after a few steps;
 * - the time of both fixes on one backend, as the panel runs them.
 * Only numbers come back.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../../core';
import { Rng, renderDenseSet, validationCount, type DenseSet } from '../../data';
import { ADAPTER_PREFIX } from '../../models';
import type { TfDevice } from '../../tf';
import { useBackend } from '../../tf/testing/in-page-backend';
import { firstGradients, fit } from './fit';
import { readSimoPool } from './pool';
import {
  frozenTokens,
  headProblem,
  headRealign,
  representationProblem,
  representationRealign,
  type RealignOptions,
} from './realign';
import { runSimo, simoMerge, type LoadedSimoPool, type SimoRow } from './table';
import { denseMerge } from '../../eval';

const POOL_URL = '/simo/';

async function fetchDemoPool(): Promise<LoadedSimoPool> {
  const text = await (await fetch(`${POOL_URL}manifest.json`)).text();
  return readSimoPool(text, 'manifest.json', async (file) => {
    const response = await fetch(`${POOL_URL}${file}`);
    if (!response.ok) throw new Error(`${POOL_URL}${file}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  });
}

/** A named set of numbers (every tensor of a group, in name order, concatenated). */
export type Flat = Record<string, number[]>;

const flatten = (m: Map<string, Float32Array> | Params): number[] =>
  [...m.keys()].sort().flatMap((k) => {
    const v = m.get(k)!;
    return Array.from(v instanceof Float32Array ? v : v.data);
  });

/** What one backend computes: first gradients, losses, trained tensors after `steps`. */
export interface SimoTrainingRun {
  gradients: Flat;
  firstLoss: Record<string, number>;
  /** Each fix's loss per step ("representation", "head:<task>"). */
  losses: Record<string, number[]>;
  /** Every trained tensor after the short runs ("representation", "heads"). */
  trained: Flat;
}

export interface SimoTrainingCheck {
  adapter: string;
  onOurDevice: boolean;
  valImages: number;
  steps: number;
  webgpu: SimoTrainingRun;
  cpu: SimoTrainingRun;
}

/** The merged (task arithmetic, λ 0.3) demo model and the panel's validation set. */
async function demoProblem(valFraction: number): Promise<RealignOptions> {
  const pool = await fetchDemoPool();
  const { config, data } = pool.manifest;
  const tasks = config.tasks.map((t) => t.name);
  const params = await denseMerge(
    pool.base,
    pool.singles,
    tasks,
    simoMerge('task_arithmetic', 0.3).merge,
  );
  const val: DenseSet = renderDenseSet(
    data.seed,
    'val',
    validationCount(data.train, valFraction),
    data.size,
  );
  return { config, params, val };
}

function seededNormal(size: number, name: string, std: number): Float32Array {
  const rng = new Rng(7, name);
  return Float32Array.from({ length: size }, () => std * rng.normal());
}

async function trainingRun(options: RealignOptions, steps: number): Promise<SimoTrainingRun> {
  const gradients: Flat = {};
  const firstLoss: Record<string, number> = {};
  const tokens = frozenTokens(options);
  try {
    for (const task of options.config.tasks) {
      const problem = headProblem(options, task, tokens);
      try {
        const g = await firstGradients(problem);
        gradients[`head:${task.name}`] = flatten(g.grads);
        firstLoss[`head:${task.name}`] = g.loss;
      } finally {
        problem.dispose();
      }
    }
  } finally {
    tokens.dispose();
  }
  const problem = representationProblem(options);
  try {
    const g = await firstGradients(problem);
    const part = (keep: (k: string) => boolean) =>
      flatten(new Map([...g.grads].filter(([k]) => keep(k))));
    const adapter = (k: string) => k.startsWith(ADAPTER_PREFIX);
    gradients['representation: adapters A'] = part((k) => adapter(k) && k.endsWith('.A'));
    gradients['representation: adapters B'] = part((k) => adapter(k) && k.endsWith('.B'));
    gradients['representation: decoders'] = part((k) => !adapter(k));
    firstLoss.representation = g.loss;
  } finally {
    problem.dispose();
  }
  // At the start B = 0, so A's gradient is exactly 0 on both backends; a state with B ≠ 0
  // (seeded, the size A starts at) checks the whole adapter path.
  const moved = representationProblem(options);
  try {
    for (const [k, v] of moved.initial)
      if (k.startsWith(ADAPTER_PREFIX) && k.endsWith('.B'))
        moved.initial.set(k, { shape: v.shape, data: seededNormal(v.data.length, k, 0.2) });
    const g = await firstGradients(moved);
    gradients['representation, B ≠ 0'] = flatten(g.grads);
    firstLoss['representation, B ≠ 0'] = g.loss;
  } finally {
    moved.dispose();
  }
  const losses: Record<string, number[]> = {};
  const onLoss = (task: string, _step: number, loss: number) =>
    (losses[task === 'all' ? 'representation' : `head:${task}`] ??= []).push(loss);
  const short = { ...options, steps, onLoss };
  const heads = await headRealign(short);
  const repr = await representationRealign(short);
  const trained: Flat = {
    heads: flatten(heads),
    'representation:adapters': flatten(repr.adapters),
    'representation:decoders': flatten(repr.decoders),
  };
  return { gradients, firstLoss, losses, trained };
}

/** Both fixes' training on WebGPU, then on tfjs's cpu backend, on the same demo inputs. */
export async function simoTrainingCheckInPage(
  steps = 5,
  valFraction = 0.05,
): Promise<SimoTrainingCheck> {
  const { adapter, onOurDevice } = await useBackend('webgpu');
  const options = await demoProblem(valFraction);
  const webgpu = await trainingRun(options, steps);
  await useBackend('cpu');
  const cpu = await trainingRun(options, steps);
  return { adapter, onOurDevice, valImages: options.val.count, steps, webgpu, cpu };
}

export interface SimoTiming {
  backend: string;
  adapter: string;
  rows: SimoRow[];
  seconds: number;
}

/**
 * The panel's run on a loaded pool — task arithmetic λ 0.3, both fixes — timed: what the bench
 * measures in the page (simoFixTimingInPage) and in Node (bench/simo.ts).
 */
export async function timedPanelRun(
  pool: LoadedSimoPool,
  steps: number,
  testLimit: number,
  valFraction: number,
): Promise<{ rows: SimoRow[]; seconds: number }> {
  const { merge, label } = simoMerge('task_arithmetic', 0.3);
  const t0 = performance.now();
  const rows = await runSimo(pool, {
    merge,
    mergeLabel: label,
    fix: 'both',
    valFraction,
    steps,
    testLimit,
  });
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

/** timedPanelRun on the served demo pool, on one backend. */
export async function simoFixTimingInPage(
  device: TfDevice,
  steps: number,
  testLimit = 48,
  valFraction = 0.05,
): Promise<SimoTiming> {
  const { backend, adapter } = await useBackend(device);
  const run = await timedPanelRun(await fetchDemoPool(), steps, testLimit, valFraction);
  tf.disposeVariables();
  return { backend, adapter, ...run };
}

/**
 * fit() on WebGPU with a loss that runs a kernel the device cannot (tfjs's AddN of 16 inputs,
 * past lavapipe's 16 storage buffers with its output): the step must fail with a WebGPU
 * validation error instead of training on stale numbers. Returns the error's name and message,
 * or null if the run finished.
 */
export async function fitOnInvalidKernelInPage(): Promise<{
  name: string;
  message: string;
} | null> {
  await useBackend('webgpu');
  const initial: Params = new Map(
    Array.from({ length: 16 }, (_, i) => [
      `w${i}`,
      { shape: [4], data: new Float32Array(4).fill(i) },
    ]),
  );
  try {
    await fit({
      initial,
      trainable: () => true,
      steps: 2,
      peakLr: 1e-2,
      task: 'invalid kernel check',
      loss: (vars) =>
        // eslint-disable-next-line no-restricted-properties -- the kernel WebGPU cannot run
        tf.sum(tf.square(tf.addN([...vars.values()]))) as tf.Scalar,
    });
    return null;
  } catch (e) {
    const error = e as Error;
    return { name: error.name, message: error.message };
  }
}
