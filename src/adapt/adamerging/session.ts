/**
 * One AdaMerging optimisation held on the active tfjs backend: the λ variable, Adam, the
 * sampler and the device-resident problem. `runAdaMerging` drives it; tests and the benchmark
 * use its pieces directly (first-step gradient, per-phase timing).
 */
import * as tf from '@tensorflow/tfjs';
import { accuracy } from '../../eval';
import type { LoadedZoo } from '../../zoo';
import type { FusedAdaMerging } from './fused/engine';
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
  type StepEvent,
} from './types';

const now = (): number => performance.now();

function toMatrix(
  data: Float32Array | Int32Array | Uint8Array,
  rows: number,
  cols: number,
): number[][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from(data.subarray(r * cols, (r + 1) * cols)),
  );
}

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

export class AdaMergingSession {
  readonly options: ResolvedOptions;
  readonly problem: MergeProblem;
  readonly lambda: tf.Variable<tf.Rank.R2>;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly sampler: TaskBatchSampler;
  private readonly zoo: LoadedZoo;
  /** The fused WebGPU step (webgpu backend, engine 'auto'); null: tfjs autodiff. */
  readonly fused: FusedAdaMerging | null;
  /** True when the fused engine's λ moved since it was last copied into `lambda`. */
  private lambdaStale = false;
  /** When the last fused step's numbers arrived (a queued step's time counts from there). */
  private lastArrival = -Infinity;
  stepsRun = 0;

  /**
   * `gpu`: a WebGPU device for the fused engine when tfjs itself runs elsewhere (wasm, cpu);
   * without it the fused engine runs only on tfjs's webgpu backend's device.
   */
  constructor(zoo: LoadedZoo, options: AdaMergingOptions, gpu: GPUDevice | null = null) {
    this.options = resolveOptions(options);
    this.zoo = zoo;
    const host = hostProblem(zoo, this.options);
    this.problem = prepareProblem(host);
    const T = this.problem.tasks.length;
    const L = lambdaColumns(this.problem, this.options.mode);
    this.lambda = tf.variable(
      tf.fill([T, L], this.options.init) as tf.Tensor2D,
      true,
      `adamerging_lambda_${Date.now()}`,
    );
    this.optimizer = tf.train.adam(this.options.lr, 0.9, 0.999);
    this.sampler = new TaskBatchSampler(
      this.problem.tasks.map((t) => zoo.testSets.get(t)!),
      this.options.seed,
      this.problem.tasks,
    );
    this.fused = fusedEngineFor(host, this.options, this.perTask, L, gpu);
  }

  get perTask(): number {
    return this.options.batchSize * this.options.batchesPerTask;
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
  nextInputs(): { images: tf.Tensor2D; labels: tf.Tensor1D | null } {
    if (this.options.objective === 'entropy') return { images: this.nextImages(), labels: null };
    const side = this.problem.config.imageSize;
    const px = side * side;
    const { pixels, labels } = this.sampler.labelledBatch(this.perTask);
    return {
      images: tf.tensor2d(pixels, [pixels.length / px, px]),
      labels: tf.tensor1d(labels, 'int32'),
    };
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

  /** Copies the fused engine's λ into the tfjs variable (for evaluation and export). */
  private async freshLambda(): Promise<void> {
    if (!this.fused || !this.lambdaStale) return;
    const raw = tf.tensor2d(await this.fused.rawLambdas(), this.lambda.shape);
    this.lambda.assign(raw);
    raw.dispose();
    this.lambdaStale = false;
  }

  /**
   * One fused step: everything on the device in one submit, losses and λ read back. May be
   * called before the previous step's promise settled (see {@link startStep}); `ms` then
   * counts from the previous step's arrival, so it is the time a step adds to a run.
   */
  private async fusedStep(fused: FusedAdaMerging): Promise<StepEvent> {
    const t0 = now();
    const images = this.nextBatch();
    const t1 = now();
    const r = await fused.submitStep(images);
    const t2 = now();
    const started = Math.max(t0, this.lastArrival);
    this.lastArrival = t2;
    this.lambdaStale = true; // the variable is refreshed from the device when needed
    this.stepsRun++;
    const [T, L] = this.lambda.shape;
    const lossPerTask = Array.from(r.lossPerTask);
    return {
      step: this.stepsRun,
      lossPerTask,
      entropyTotal: lossPerTask.reduce((a, b) => a + b, 0),
      lambdas: toMatrix(r.lambdas, T, L),
      ms: t2 - started,
      // One submit: merge, forward, backward, Adam and the readback are not separable here.
      timing: { batch: t1 - t0, gradient: t2 - started - (t1 - t0), update: 0, readback: 0 },
    };
  }

  /**
   * True when a step may be started before the previous one's numbers are back (the fused
   * engine: Adam runs on the device, so the next step needs nothing from the host).
   */
  get pipelined(): boolean {
    return this.fused !== null;
  }

  /**
   * Starts the next step and returns its event when it is done. With {@link pipelined}, call
   * it again before awaiting: the steps queue on the device in order, and the host work of one
   * (sampling, the event, the UI) overlaps the device work of the next. Otherwise = step().
   */
  startStep(): Promise<StepEvent> {
    return this.fused ? this.fusedStep(this.fused) : this.step();
  }

  /**
   * Sum of the per-task losses (entropies; the oracle: cross-entropies against `labels`) and
   * its gradient with respect to λ ([T, L]).
   */
  gradient(
    images: tf.Tensor2D,
    labels: tf.Tensor1D | null = null,
  ): { perTask: tf.Tensor1D; grad: tf.Tensor2D } {
    let perTask: tf.Tensor1D | undefined;
    const { grads, value } = tf.variableGrads(() => {
      const encoder = mergedEncoder(this.problem, this.lambda, this.options.clamp);
      perTask = tf.keep(this.lossPerTask(encoder, images, labels));
      return tf.sum(perTask);
    }, [this.lambda]);
    value.dispose();
    return { perTask: perTask!, grad: grads[this.lambda.name] as tf.Tensor2D };
  }

  /** One Adam step on a fresh batch; reads the losses and λ back for the event. */
  async step(): Promise<StepEvent> {
    if (this.fused) return this.fusedStep(this.fused);
    const t0 = now();
    const { images, labels } = this.nextInputs();
    const t1 = now();
    const { perTask, grad } = this.gradient(images, labels);
    const t2 = now();
    this.optimizer.applyGradients([{ name: this.lambda.name, tensor: grad }]);
    const used = this.options.clamp ? tf.clipByValue(this.lambda, 0, 1) : this.lambda.clone();
    const t3 = now();
    const [losses, lambdas] = await Promise.all([perTask.data(), used.data()]);
    const t4 = now();
    tf.dispose([images, perTask, grad, used]);
    labels?.dispose();
    this.stepsRun++;
    const [T, L] = this.lambda.shape;
    const lossPerTask = Array.from(losses);
    return {
      step: this.stepsRun,
      lossPerTask,
      entropyTotal: lossPerTask.reduce((a, b) => a + b, 0),
      lambdas: toMatrix(lambdas as Float32Array, T, L),
      ms: t4 - t0,
      timing: { batch: t1 - t0, gradient: t2 - t1, update: t3 - t2, readback: t4 - t3 },
    };
  }

  /** λ as the forward pass uses it (clamped when `clamp`), or the raw variable. */
  async lambdas(raw = false): Promise<number[][]> {
    await this.freshLambda();
    const t = raw || !this.options.clamp ? this.lambda.clone() : tf.clipByValue(this.lambda, 0, 1);
    const data = await t.data();
    t.dispose();
    return toMatrix(data as Float32Array, this.lambda.shape[0], this.lambda.shape[1]);
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

  dispose(): void {
    this.fused?.dispose();
    this.optimizer.dispose();
    this.lambda.dispose();
    this.problem.dispose();
  }
}
