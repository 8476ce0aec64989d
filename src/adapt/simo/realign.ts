/**
 * The two SIMO fixes (shared/METHODS.md "Single-input multi-output merging"), on a small
 * labelled multi-task validation set:
 * - head re-alignment: the merged encoder frozen, its patch tokens on the validation images
 *   computed once, each task's decoder fine-tuned on its own loss;
 * - representation re-alignment: a low-rank adapter beside every block (f(x) + B·A·x, rank 16,
 *   B = 0 at start) trained jointly with all decoders on the unweighted mean of the task losses.
 * Both use ./fit.ts (AdamW, one-cycle, gradient clipping) and return new tensors only.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params, ProgressCallback } from '../../core';
import { Rng, type DenseSet } from '../../data';
import {
  ADAPTER_PREFIX,
  DECODER_PREFIX,
  decoderPrefix,
  denseDecode,
  denseEncode,
  denseInputs,
  denseLoss,
  denseTarget,
  initAdapters,
  meanTaskLoss,
  toTensors,
  withPrefix,
  type DenseConfig,
  type DenseTarget,
  type DenseTask,
} from '../../models';
import { fit, type FitOptions } from './fit';

export class SimoInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimoInputError';
  }
}

export interface RealignOptions {
  config: DenseConfig;
  /** The merged model: encoder and every task's decoder. */
  params: Params;
  val: DenseSet;
  steps?: number;
  peakLr?: number;
  weightDecay?: number;
  batch?: number;
  seed?: number;
  onProgress?: ProgressCallback;
  onLoss?: (task: string, step: number, loss: number) => void;
  signal?: AbortSignal;
  pause?: FitOptions['pause'];
}

/** The fixes' precondition, checked before any work. */
export function requireValidation(val: DenseSet): void {
  if (val.count === 0)
    throw new SimoInputError(
      'the validation set has 0 images: the SIMO fixes need labelled validation images (raise --val)',
    );
}

/** Rows of step `step`: a seeded reshuffle each epoch, the whole set when batch ≥ its size. */
export function batchRows(count: number, batch: number, seed: number, step: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (batch >= count) return all;
  const perEpoch = Math.floor(count / batch);
  const epoch = Math.floor(step / perEpoch);
  const order = new Rng(seed, `simo/epoch/${epoch}`).shuffle(all);
  const k = step % perEpoch;
  return order.slice(k * batch, (k + 1) * batch);
}

const gatherRows = (t: tf.Tensor, rows: number[]): tf.Tensor =>
  tf.gather(t, tf.tensor1d(rows, 'int32'));

/**
 * What a fix trains: every tensor its loss reads, which of them train and the loss of a step.
 * headRealign / representationRealign hand it to fit(); the WebGPU-vs-CPU check (in-page.ts)
 * takes its first gradients on each backend.
 */
export interface FixProblem {
  initial: Params;
  trainable: (name: string) => boolean;
  loss: FitOptions['loss'];
  /** Frees the tensors the loss closes over (features, images, targets). */
  dispose: () => void;
}

/** The frozen encoder's patch tokens on the validation images, computed once. */
export function frozenTokens(options: RealignOptions): tf.Tensor {
  const weights = toTensors(options.params);
  try {
    return tf.tidy(() => denseEncode(weights, denseInputs(options.val), options.config));
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

/** Head re-alignment of one task: its decoder on its loss over the frozen features. */
export function headProblem(
  options: RealignOptions,
  task: DenseTask,
  tokens: tf.Tensor,
): FixProblem {
  const { config, val } = options;
  const batch = options.batch ?? 16;
  const target = denseTarget(val, task);
  return {
    initial: withPrefix(options.params, decoderPrefix(task.name)),
    trainable: () => true,
    loss: (vars, step) => {
      const rows = batchRows(val.count, batch, options.seed ?? 0, step);
      const y = denseDecode(vars, gatherRows(tokens, rows) as tf.Tensor3D, config, task);
      return denseLoss(task, y, gatherRows(target, rows));
    },
    dispose: () => target.dispose(),
  };
}

/** Re-aligned decoders (every task's `decoders.<task>.*`), the encoder untouched. */
export async function headRealign(options: RealignOptions): Promise<Params> {
  requireValidation(options.val);
  const tokens = frozenTokens(options);
  const out: Params = new Map();
  try {
    for (const task of options.config.tasks) {
      const problem = headProblem(options, task, tokens);
      try {
        const { trained } = await fit({
          ...fitSchedule(options, `head re-alignment: ${task.name}`),
          initial: problem.initial,
          trainable: problem.trainable,
          loss: problem.loss,
          onLoss: (step, loss) => options.onLoss?.(task.name, step, loss),
        });
        for (const [k, v] of trained) out.set(k, v);
      } finally {
        problem.dispose();
      }
    }
  } finally {
    tokens.dispose();
  }
  return out;
}

/** The fit() options both fixes share. */
function fitSchedule(options: RealignOptions, task: string) {
  return {
    steps: options.steps ?? 300,
    peakLr: options.peakLr ?? 3e-3,
    weightDecay: options.weightDecay,
    task,
    onProgress: options.onProgress,
    signal: options.signal,
    pause: options.pause,
  };
}

export interface RepresentationResult {
  adapters: Params;
  decoders: Params;
}

/** Representation re-alignment: adapters (rank `rank`) and every decoder on the mean task loss. */
export function representationProblem(options: RealignOptions & { rank?: number }): FixProblem {
  const { config, val } = options;
  const batch = options.batch ?? 16;
  const initial: Params = new Map(options.params);
  for (const [k, v] of initAdapters(config, options.rank ?? 16, options.seed ?? 0))
    initial.set(k, v);
  const images = denseInputs(val);
  const targets: DenseTarget[] = config.tasks.map((t) => denseTarget(val, t));
  return {
    initial,
    trainable: (n) => n.startsWith(ADAPTER_PREFIX) || n.startsWith(DECODER_PREFIX),
    loss: (vars, step) => {
      const rows = batchRows(val.count, batch, options.seed ?? 0, step);
      const x = gatherRows(images, rows) as tf.Tensor4D;
      const tokens = denseEncode(vars, x, config, vars);
      const ys = targets.map((t) => gatherRows(t, rows));
      return meanTaskLoss(vars, tokens, config, config.tasks, ys);
    },
    dispose: () => {
      images.dispose();
      for (const t of targets) t.dispose();
    },
  };
}

/** Adapters (rank `rank`, default 16) and decoders trained jointly; the encoder frozen. */
export async function representationRealign(
  options: RealignOptions & { rank?: number },
): Promise<RepresentationResult> {
  requireValidation(options.val);
  const problem = representationProblem(options);
  try {
    const { trained } = await fit({
      ...fitSchedule(options, 'representation re-alignment'),
      initial: problem.initial,
      trainable: problem.trainable,
      loss: problem.loss,
      onLoss: (step, loss) => options.onLoss?.('all', step, loss),
    });
    return {
      adapters: withPrefix(trained, ADAPTER_PREFIX),
      decoders: withPrefix(trained, DECODER_PREFIX),
    };
  } finally {
    problem.dispose();
  }
}
