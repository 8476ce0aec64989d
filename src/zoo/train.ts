/**
 * The training loop shared by base pretraining and the task fine-tunes: every encoder tensor plus
 * one head are trainable, Adam with linear warm-up then cosine decay, softmax cross-entropy.
 * Deterministic given the initial weights and the batch sampler (the builder seeds both).
 */
import * as tf from '@tensorflow/tfjs';
import type { GrayImages } from '../data';
import {
  vitForward,
  imagesToTensor,
  type NamedArray,
  headBiasName,
  isCosineHead,
  type VitConfig,
} from '../models';

export interface TrainOptions {
  config: VitConfig;
  /** Initial encoder tensors and the head's tensors. */
  initial: Map<string, NamedArray>;
  /** Which tensors are trained (default: all); the others are kept fixed and returned as they are. */
  trainable?: (name: string) => boolean;
  head: string;
  numClasses: number;
  steps: number;
  /** Returns the batch for step `step` (0-based). */
  batch: (step: number) => GrayImages;
  peakLr: number;
  warmupSteps: number;
  /** Called every `logEvery` steps with the mean loss since the last call. */
  onLog?: (step: number, loss: number) => void;
  logEvery?: number;
}

export function learningRate(
  step: number,
  options: Pick<TrainOptions, 'steps' | 'peakLr' | 'warmupSteps'>,
): number {
  const { steps, peakLr, warmupSteps } = options;
  if (step < warmupSteps) return (peakLr * (step + 1)) / warmupSteps;
  const progress = (step - warmupSteps) / Math.max(1, steps - warmupSteps);
  return 0.5 * peakLr * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

export async function train(options: TrainOptions): Promise<Map<string, NamedArray>> {
  const vars = new Map<string, tf.Variable>();
  const chosen = options.trainable ?? (() => true);
  // A cosine head has no bias: its tensor stays at its initial 0 (kept only for the shape).
  const fixedBias = isCosineHead(options.config) ? headBiasName(options.head) : undefined;
  const trainable = (name: string): boolean => chosen(name) && name !== fixedBias;
  for (const [name, { shape, data }] of options.initial)
    vars.set(name, tf.variable(tf.tensor(data, shape), trainable(name), name));
  const optimizer = tf.train.adam(options.peakLr, 0.9, 0.999, 1e-8);
  // tfjs's Adam reads `learningRate` on every step, so a schedule can set it between steps.
  const settable = optimizer as unknown as { learningRate: number };
  const logEvery = options.logEvery ?? 100;
  let lossSum = 0;
  let lossCount = 0;
  const varList = [...vars.values()].filter((v) => v.trainable);
  for (let step = 0; step < options.steps; step++) {
    settable.learningRate = learningRate(step, options);
    const batch = options.batch(step);
    const loss: tf.Scalar | null = tf.tidy(() => {
      const x = imagesToTensor(batch.pixels, batch.count, batch.side);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), options.numClasses);
      return optimizer.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(
            y,
            vitForward(vars, x, options.head, options.config),
          ) as tf.Scalar,
        true,
        varList,
      ) as tf.Scalar;
    });
    if (loss) {
      lossSum += (await loss.data())[0] ?? 0;
      lossCount++;
      loss.dispose();
    }
    if ((step + 1) % logEvery === 0 || step + 1 === options.steps) {
      options.onLog?.(step + 1, lossSum / Math.max(1, lossCount));
      lossSum = 0;
      lossCount = 0;
    }
  }
  const out = new Map<string, NamedArray>();
  for (const [name, v] of vars) {
    out.set(name, { shape: v.shape.slice(), data: (await v.data()) as Float32Array });
    v.dispose();
  }
  optimizer.dispose();
  return out;
}
