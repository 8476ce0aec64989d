/**
 * One AdaMerging optimisation held on the active tfjs backend: the λ variable, Adam, the
 * sampler and the device-resident problem. `runAdaMerging` drives it; tests and the benchmark
 * use its pieces directly (first-step gradient, per-phase timing).
 */
import * as tf from '@tensorflow/tfjs';
import { accuracy } from '../../eval';
import type { LoadedZoo } from '../../zoo';
import { LambdaSession, type TfjsInputs } from './lambda-session';
import { fusedEngineFor } from './fused/from-problem';
import {
  crossEntropyPerTask,
  entropyPerTask,
  hostProblem,
  lambdaColumns,
  mergedEncoder,
  prepareProblem,
  type MergeProblem,
} from './problem';
import { TaskBatchSampler } from './sampler';
import type { Params } from '../../core';
import {
  DEFAULT_OPTIONS,
  type AdaMergingOptions,
  type EvalEvent,
  type ResolvedOptions,
} from './types';

export function resolveOptions(options: AdaMergingOptions): ResolvedOptions {
  const o = { ...DEFAULT_OPTIONS, ...options } as ResolvedOptions;
  const positiveInt = (key: keyof ResolvedOptions, allowZero = false): void => {
    const v = o[key] as number;
    if (!Number.isInteger(v) || v < (allowZero ? 0 : 1))
      throw new RangeError(
        `AdaMerging option ${key} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`,
      );
  };
  if (o.mode !== 'task' && o.mode !== 'layer')
    throw new RangeError(`AdaMerging mode must be "task" or "layer", got "${String(o.mode)}"`);
  positiveInt('steps', true);
  positiveInt('batchSize');
  positiveInt('evalEvery', true);
  positiveInt('evalLimit', true);
  if (o.batchesPerTask !== 1 && o.batchesPerTask !== 2)
    throw new RangeError('AdaMerging option batchesPerTask must be 1 or 2');
  if (!(o.lr > 0)) throw new RangeError('AdaMerging option lr must be positive');
  if (o.engine !== 'auto' && o.engine !== 'tfjs')
    throw new RangeError(
      `AdaMerging option engine must be "auto" or "tfjs", got "${String(o.engine)}"`,
    );
  if (!(o.density > 0 && o.density <= 1))
    throw new RangeError('AdaMerging option density must be in (0, 1]');
  if (o.objective !== 'entropy' && o.objective !== 'cross-entropy')
    throw new RangeError(
      `AdaMerging option objective must be "entropy" or "cross-entropy", got "${String(o.objective)}"`,
    );
  // The fused WebGPU kernels only know the entropy: refuse rather than let 'auto' pick them and
  // silently optimise the wrong loss (or silently fall back, which would hide the choice).
  if (o.objective === 'cross-entropy' && o.engine !== 'tfjs')
    throw new RangeError(
      'AdaMerging objective "cross-entropy" (the labelled oracle) runs on tfjs autodiff only: pass engine: "tfjs"',
    );
  return o;
}

/** The zoo's tfjs-path inputs: the images, and the labels only for the cross-entropy oracle. */
interface ZooInputs extends TfjsInputs {
  images: tf.Tensor2D;
  labels: tf.Tensor1D | null;
}

export class AdaMergingSession extends LambdaSession<ZooInputs> {
  readonly problem: MergeProblem;
  private readonly sampler: TaskBatchSampler;
  private readonly zoo: LoadedZoo;

  /**
   * `gpu`: a WebGPU device for the fused engine when tfjs itself runs elsewhere (wasm, cpu);
   * without it the fused engine runs only on tfjs's webgpu backend's device.
   */
  constructor(zoo: LoadedZoo, options: AdaMergingOptions, gpu: GPUDevice | null = null) {
    const resolved = resolveOptions(options);
    const host = hostProblem(zoo, resolved);
    const problem = prepareProblem(host);
    const L = lambdaColumns(problem, resolved.mode);
    super(resolved, problem.tasks.length, L, 'adamerging_lambda');
    this.problem = problem;
    this.zoo = zoo;
    this.sampler = new TaskBatchSampler(
      this.problem.tasks.map((t) => zoo.testSets.get(t)!),
      this.options.seed,
      this.problem.tasks,
    );
    this.fused = fusedEngineFor(host, this.options, this.perTask, L, gpu);
  }

  /** The next seeded unlabeled batch of every task as floats: [T·perTask, side²] row-major. */
  nextBatch(): Float32Array {
    return this.sampler.batch(this.perTask);
  }

  /** The next seeded unlabeled batch of every task, on the device: [T·perTask, side²]. */
  nextImages(): tf.Tensor2D {
    const side = this.problem.config.imageSize;
    const data = this.nextBatch();
    return tf.tensor2d(data, [data.length / (side * side), side * side]);
  }

  /**
   * The next seeded batch on the device, with its labels (int32 [T·perTask]) only for the
   * cross-entropy oracle: the entropy objective never uploads a label.
   */
  nextInputs(): ZooInputs {
    if (this.options.objective === 'entropy') {
      const images = this.nextImages();
      return { images, labels: null, tensors: [images] };
    }
    const side = this.problem.config.imageSize;
    const px = side * side;
    const { pixels, labels } = this.sampler.labelledBatch(this.perTask);
    const images = tf.tensor2d(pixels, [pixels.length / px, px]);
    const y = tf.tensor1d(labels, 'int32');
    return { images, labels: y, tensors: [images, y] };
  }

  /** The per-task loss of the options' objective for a merged encoder on a batch: [T]. */
  lossPerTask(
    encoder: Map<string, tf.Tensor>,
    images: tf.Tensor2D,
    labels: tf.Tensor1D | null = null,
  ): tf.Tensor1D {
    if (this.options.objective === 'entropy')
      return entropyPerTask(this.problem, encoder, images, this.perTask);
    if (!labels) throw new Error('the cross-entropy objective needs the batch labels');
    return crossEntropyPerTask(this.problem, encoder, images, labels, this.perTask);
  }

  protected lossPerTaskAt(lambda: tf.Tensor2D, inputs: ZooInputs): tf.Tensor1D {
    const encoder = mergedEncoder(this.problem, lambda, this.options.clamp);
    return this.lossPerTask(encoder, inputs.images, inputs.labels);
  }

  /**
   * Sum of the per-task losses (entropies; the oracle: cross-entropies against `labels`) and
   * its gradient with respect to λ ([T, L]).
   */
  gradient(
    images: tf.Tensor2D,
    labels: tf.Tensor1D | null = null,
  ): { perTask: tf.Tensor1D; grad: tf.Tensor2D } {
    return this.gradientOf({ images, labels, tensors: [] });
  }

  /** The merged encoder tensors (current λ) on the device; caller disposes. */
  async mergedTensors(): Promise<Map<string, tf.Tensor>> {
    await this.freshLambda();
    const out = new Map<string, tf.Tensor>();
    tf.tidy(() => {
      const m = mergedEncoder(this.problem, this.lambda, this.options.clamp);
      for (const [name, t] of m) out.set(name, tf.keep(t));
    });
    return out;
  }

  /** The merged encoder read back as plain arrays (what gets exported). */
  async mergedWeights(): Promise<Params> {
    const tensors = await this.mergedTensors();
    const out: Params = new Map();
    for (const [name, t] of tensors) {
      out.set(name, { shape: [...t.shape], data: (await t.data()) as Float32Array });
      t.dispose();
    }
    return out;
  }

  /** Per-task accuracy of the current merge on the labelled test sets (each task's own head). */
  async evaluate(): Promise<EvalEvent> {
    const encoder = await this.mergedTensors();
    const params = new Map([...encoder, ...this.problem.heads]);
    const limit = this.options.evalLimit || undefined;
    const accuracyPerTask: number[] = [];
    let images = Infinity;
    for (const task of this.problem.tasks) {
      const r = await accuracy(params, task, this.zoo.testSets.get(task)!, {
        limit,
        config: this.problem.config,
      });
      accuracyPerTask.push(r.accuracy);
      images = Math.min(images, r.total);
    }
    for (const t of encoder.values()) t.dispose();
    const average = accuracyPerTask.reduce((a, b) => a + b, 0) / accuracyPerTask.length;
    return { step: this.stepsRun, accuracyPerTask, average, images };
  }

  override dispose(): void {
    super.dispose();
    this.problem.dispose();
  }
}
