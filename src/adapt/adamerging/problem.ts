/**
 * The device-resident part of AdaMerging: base tensors θ₀, each merged tensor's task vectors
 * stacked into one [T, n] tensor (uploaded once), the task heads, and the two differentiable
 * pieces — merged weights from λ, and the per-task entropy of the predictions.
 *
 * Why stacks: θ₀ + Σₖ λₖ·τₖ as one matMul [1, T] × [T, n] per tensor instead of T adds keeps
 * every op at ≤ 2 inputs (WebGPU's 8-storage-buffer limit, shared/BROWSER.md) and is faster.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../../core';
import { taskVectors, tiesSelectedTaskVectors } from '../../merge';
import {
  addScaledTaskVectors,
  headBiasName,
  vitEncode,
  vitHead,
  type VitConfig,
} from '../../models';
import type { LoadedZoo } from '../../zoo';
import { AdaMergingInputError } from './errors';
import type { AdaMergingMode } from './types';

export interface MergeProblem {
  config: VitConfig;
  tasks: string[];
  /** Merged (non-task-specific) tensors in the base's (forward) order. */
  tensorNames: string[];
  shapes: Map<string, number[]>;
  base: Map<string, tf.Tensor>;
  stacks: Map<string, tf.Tensor2D>;
  heads: Map<string, tf.Tensor>;
  dispose(): void;
}

/** The problem on the host: θ₀, τₖ (TIES-selected for AdaMerging++) and the task heads. */
export interface HostProblem {
  config: VitConfig;
  tasks: string[];
  tensorNames: string[];
  shapes: Map<string, number[]>;
  base: Params;
  vectors: Params[];
  heads: Params;
  /** Classes of each task's head (its bias length). */
  classes: number[];
}

export function hostProblem(
  zoo: LoadedZoo,
  options: { plus: boolean; density: number },
): HostProblem {
  const prefix = zoo.manifest.headPrefix;
  const isTaskSpecific = (name: string): boolean => name.startsWith(prefix);
  const tasks = zoo.manifest.tasks.map((t) => t.name).filter((t) => zoo.checkpoints.has(t));
  if (tasks.length === 0) throw new AdaMergingInputError('the zoo has no fine-tuned task');
  const base: Params = new Map([...zoo.base].filter(([n]) => !isTaskSpecific(n)));
  // τₖ and AdaMerging++'s TIES selection come from the merge engine's kernels.
  let vectors = tasks.map((t) =>
    taskVectors(base, zoo.checkpoints.get(t)!, () => true, `task "${t}"`),
  );
  if (options.plus) vectors = tiesSelectedTaskVectors(vectors, options.density);
  const tensorNames = [...base.keys()];
  const shapes = new Map(tensorNames.map((n) => [n, base.get(n)!.shape]));
  const heads: Params = new Map();
  const classes: number[] = [];
  zoo.manifest.tasks.forEach((task) => {
    const checkpoint = zoo.checkpoints.get(task.name);
    if (!checkpoint) return;
    for (const h of task.headTensors) {
      const t = checkpoint.get(h);
      if (!t) throw new AdaMergingInputError(`task "${task.name}": head "${h}" is missing`);
      heads.set(h, t);
    }
    classes.push(heads.get(headBiasName(task.name))?.data.length ?? 0);
  });
  return {
    config: zoo.manifest.model.config,
    tasks,
    tensorNames,
    shapes,
    base,
    vectors,
    heads,
    classes,
  };
}

/** Uploads θ₀, the τ stacks (TIES-selected for AdaMerging++) and every task's head. */
export function prepareProblem(host: HostProblem): MergeProblem {
  const { tasks, tensorNames, vectors } = host;
  const base = new Map<string, tf.Tensor>();
  const stacks = new Map<string, tf.Tensor2D>();
  for (const name of tensorNames) {
    const b = host.base.get(name)!;
    base.set(name, tf.tensor(b.data, b.shape, 'float32'));
    const n = b.data.length;
    const packed = new Float32Array(tasks.length * n);
    vectors.forEach((v, k) => packed.set(v.get(name)!.data, k * n));
    stacks.set(name, tf.tensor2d(packed, [tasks.length, n]));
  }
  const heads = new Map<string, tf.Tensor>();
  for (const [name, t] of host.heads) heads.set(name, tf.tensor(t.data, t.shape, 'float32'));
  return {
    config: host.config,
    tasks,
    tensorNames,
    shapes: host.shapes,
    base,
    stacks,
    heads,
    dispose() {
      for (const m of [base, stacks, heads]) for (const t of m.values()) t.dispose();
    },
  };
}

/** Number of λ columns: 1 task-wise, one per merged tensor layer-wise. */
export function lambdaColumns(problem: MergeProblem, mode: AdaMergingMode): number {
  return mode === 'task' ? 1 : problem.tensorNames.length;
}

/**
 * θ = θ₀ + Σₖ λₖ·τₖ for every merged tensor; `lambdas` is [T, L] (L = 1: one λ per task for
 * all tensors). Clamping to [0, 1] happens here, in the forward pass, so the λ variable itself
 * is free (the official code's behaviour); clipByValue passes no gradient outside [0, 1].
 */
export function mergedEncoder(
  problem: MergeProblem,
  lambdas: tf.Tensor2D,
  clamp: boolean,
): Map<string, tf.Tensor> {
  const used = clamp ? tf.clipByValue(lambdas, 0, 1) : lambdas;
  const columns = tf.transpose(used) as tf.Tensor2D; // [L, T]: row l is tensor l's λ
  const taskWise = lambdas.shape[1] === 1;
  const out = new Map<string, tf.Tensor>();
  problem.tensorNames.forEach((name, l) => {
    const row = taskWise ? columns : tf.slice(columns, [l, 0], [1, problem.tasks.length]);
    out.set(name, addScaledTaskVectors(problem.base.get(name)!, row, problem.stacks.get(name)!));
  });
  return out;
}

/**
 * One encoder pass for all tasks, then per task k its own head on its rows of `images` (task k
 * owns rows k·perTask …), `rowLoss` on the log-probabilities and the batch mean: a [T] tensor.
 */
function meanLossPerTask(
  problem: MergeProblem,
  encoder: Map<string, tf.Tensor>,
  images: tf.Tensor2D,
  perTask: number,
  rowLoss: (logp: tf.Tensor2D, k: number) => tf.Tensor,
): tf.Tensor1D {
  const features = vitEncode(encoder, images, problem.config);
  const dim = problem.config.dim;
  let all: tf.Tensor1D | undefined;
  problem.tasks.forEach((task, k) => {
    const logits = vitHead(
      problem.heads,
      tf.slice(features, [k * perTask, 0], [perTask, dim]),
      task,
      problem.config,
    );
    const loss = tf.reshape(
      tf.mean(rowLoss(tf.logSoftmax(logits) as tf.Tensor2D, k)),
      [1],
    ) as tf.Tensor1D;
    // Pairwise concat: never an op with more than 7 inputs on WebGPU.
    all = all ? tf.concat([all, loss]) : loss;
  });
  return all!;
}

/** Mean Shannon entropy of softmax(logits) of each task's own head on its rows: a [T] tensor. */
export function entropyPerTask(
  problem: MergeProblem,
  encoder: Map<string, tf.Tensor>,
  images: tf.Tensor2D,
  perTask: number,
): tf.Tensor1D {
  return meanLossPerTask(problem, encoder, images, perTask, (logp) =>
    tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)),
  );
}

/**
 * The oracle: mean cross-entropy −log p(label) of each task's own head on its rows against the
 * true labels (`labels`: int32 [T·perTask], the rows' order). Labelled test data — a diagnostic
 * upper bound for what λ can reach, not AdaMerging.
 */
export function crossEntropyPerTask(
  problem: MergeProblem,
  encoder: Map<string, tf.Tensor>,
  images: tf.Tensor2D,
  labels: tf.Tensor1D,
  perTask: number,
): tf.Tensor1D {
  return meanLossPerTask(problem, encoder, images, perTask, (logp, k) => {
    const own = tf.slice(labels, [k * perTask], [perTask]);
    const target = tf.cast(tf.oneHot(own, logp.shape[1]), 'float32');
    return tf.neg(tf.sum(tf.mul(target, logp), 1));
  });
}
