/**
 * The one training loop of SIMO (fixes and the builder's fine-tunes): AdamW (Adam with decoupled
 * weight decay, θ ← θ·(1 − lr·wd) each step, as PyTorch's AdamW), the one-cycle schedule, and
 * clipping of the global gradient norm. Fixed tensors are plain tensors, trained ones variables;
 * the inputs are never changed, so a cancelled run leaves the caller's models intact.
 */
import * as tf from '@tensorflow/tfjs';
import { progressReporter, type Params, type ProgressCallback } from '../../core';
import { addMany, tfValidated } from '../../tf';

export interface FitOptions {
  /** Every tensor the loss reads, fixed and trained. */
  initial: Params;
  trainable: (name: string) => boolean;
  steps: number;
  peakLr: number;
  /** AdamW's decoupled decay (default 0.01, PyTorch's). */
  weightDecay?: number;
  /** Maximum global gradient L2 norm (default 1). */
  clipNorm?: number;
  /** The loss of step `step` (inside a tidy; read tensors from `vars`). */
  loss: (vars: Map<string, tf.Tensor>, step: number) => tf.Scalar;
  /** Progress name, e.g. "head re-alignment: seg". */
  task?: string;
  onProgress?: ProgressCallback;
  onLoss?: (step: number, loss: number) => void;
  signal?: AbortSignal;
  /** Waited on before every step (the studio's Pause); rejects when the signal aborts. */
  pause?: { wait(signal?: AbortSignal): Promise<void> };
}

export interface FitResult {
  /** The trained tensors only. */
  trained: Params;
  /** Loss of every step. */
  losses: number[];
}

export class FitCancelledError extends Error {
  constructor(task: string) {
    super(`${task}: cancelled (the models from before it are unchanged)`);
    this.name = 'FitCancelledError';
  }
}

/**
 * PyTorch's OneCycleLR with its defaults: cosine from peak/25 up to the peak over the first
 * 30 % of the steps, then cosine down to peak/(25·10⁴).
 */
export function oneCycleLr(step: number, steps: number, peak: number): number {
  const up = Math.max(1, Math.round(0.3 * steps));
  const start = peak / 25;
  const end = start / 1e4;
  const cosine = (from: number, to: number, t: number): number =>
    to + ((from - to) * (1 + Math.cos(Math.PI * Math.min(1, t)))) / 2;
  if (step < up) return cosine(start, peak, step / up);
  return cosine(peak, end, (step - up) / Math.max(1, steps - 1 - up));
}

/** Gradients scaled so their global norm is at most `maxNorm` (tf.clip_by_global_norm). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(addMany(squares));
    const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, scale);
    return out;
  });
}

/** Every tensor the loss reads on the current backend; the trained ones as variables. */
function uploadTensors(
  options: Pick<FitOptions, 'initial' | 'trainable'>,
  task: string,
): { vars: Map<string, tf.Tensor>; trained: Map<string, tf.Variable> } {
  const vars = new Map<string, tf.Tensor>();
  const trained = new Map<string, tf.Variable>();
  for (const [name, { shape, data }] of options.initial) {
    if (options.trainable(name)) {
      const v = tf.variable(tf.tensor(data, shape, 'float32'), true, `${task}/${name}`);
      trained.set(name, v);
      vars.set(name, v);
    } else vars.set(name, tf.tensor(data, shape, 'float32'));
  }
  return { vars, trained };
}

/**
 * The loss of step 0 and its raw gradient (before clipping) by trained tensor name, on the
 * current backend: what the WebGPU-vs-CPU check of the training step compares.
 */
export async function firstGradients(
  options: Pick<FitOptions, 'initial' | 'trainable' | 'loss'>,
): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const { vars, trained } = uploadTensors(options, 'gradient check');
  try {
    const { value, grads } = tf.variableGrads(() => options.loss(vars, 0), [...trained.values()]);
    const out = new Map<string, Float32Array>();
    for (const [name, v] of trained) {
      const g = grads[v.name]!;
      out.set(name, (await g.data()) as Float32Array);
      g.dispose();
    }
    const loss = (await value.data())[0] ?? NaN;
    value.dispose();
    return { loss, grads: out };
  } finally {
    for (const t of vars.values()) t.dispose();
  }
}

export async function fit(options: FitOptions): Promise<FitResult> {
  const task = options.task ?? 'training';
  const wd = options.weightDecay ?? 0.01;
  const clipNorm = options.clipNorm ?? 1;
  const { vars, trained } = uploadTensors(options, task);
  const optimizer = tf.train.adam(options.peakLr, 0.9, 0.999, 1e-8);
  const settable = optimizer as unknown as { learningRate: number };
  const progress = progressReporter(task, options.steps, options.onProgress);
  const losses: number[] = [];
  try {
    for (let step = 0; step < options.steps; step++) {
      if (options.pause) await options.pause.wait(options.signal).catch(() => undefined);
      if (options.signal?.aborted) throw new FitCancelledError(task);
      const lr = oneCycleLr(step, options.steps, options.peakLr);
      settable.learningRate = lr;
      // A WebGPU validation error (a kernel tfjs could not run) fails the step, not the numbers.
      const loss = await tfValidated(async () => {
        const value = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () => options.loss(vars, step),
            [...trained.values()],
          );
          // Gradients are keyed by variable name, which applyGradients looks up.
          const clipped = clipByGlobalNorm(grads, clipNorm);
          optimizer.applyGradients(
            Object.entries(clipped).map(([name, tensor]) => ({ name, tensor })),
          );
          for (const v of trained.values()) v.assign(tf.mul(v, 1 - lr * wd));
          return value;
        });
        try {
          return (await value.data())[0] ?? NaN;
        } finally {
          value.dispose();
        }
      });
      losses.push(loss);
      options.onLoss?.(step, loss);
      progress.advance();
      // Let an abort (signal, UI) be seen between steps.
      if (step % 8 === 7) await new Promise((r) => setTimeout(r, 0));
    }
    progress.finish();
    const out: Params = new Map();
    for (const [name, v] of trained)
      out.set(name, { shape: v.shape.slice(), data: (await v.data()) as Float32Array });
    return { trained: out, losses };
  } finally {
    for (const t of vars.values()) t.dispose();
    optimizer.dispose();
  }
}
