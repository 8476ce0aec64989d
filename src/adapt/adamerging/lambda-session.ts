/**
 * What every architecture's AdaMerging session shares: the λ variable [T, L], Adam, the fused
 * WebGPU engine when one runs (its λ copied into the variable only when asked), the step loop's
 * two paths — one fused submit with λ left on the device, or tfjs autodiff of the
 * architecture's loss — and the StepEvent both produce. The zoo ViT (session.ts) and HF CLIP
 * (../clip/session.ts) supply their problem, batches and loss; nothing here knows either.
 */
import * as tf from '@tensorflow/tfjs';
import { tfValidated } from '../../tf';
import type { FusedAdaMerging } from './fused/engine';
import type { ResolvedOptions, StepEvent } from './types';

const now = (): number => performance.now();

export function toMatrix(
  data: Float32Array | Int32Array | Uint8Array,
  rows: number,
  cols: number,
): number[][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from(data.subarray(r * cols, (r + 1) * cols)),
  );
}

/** One batch's inputs for the tfjs path: whatever the loss reads, and what to dispose after. */
export interface TfjsInputs {
  tensors: tf.Tensor[];
}

export abstract class LambdaSession<Inputs extends TfjsInputs = TfjsInputs> {
  readonly lambda: tf.Variable<tf.Rank.R2>;
  private readonly optimizer: tf.AdamOptimizer;
  /** The fused WebGPU step; null: tfjs autodiff. Set by the subclass's constructor. */
  fused: FusedAdaMerging | null = null;
  /** True when the fused engine's λ moved since it was last copied into `lambda`. */
  private lambdaStale = false;
  /** When the last fused step's numbers arrived (a queued step's time counts from there). */
  private lastArrival = -Infinity;
  stepsRun = 0;

  constructor(
    readonly options: ResolvedOptions,
    tasks: number,
    columns: number,
    name: string,
  ) {
    this.lambda = tf.variable(
      tf.fill([tasks, columns], options.init) as tf.Tensor2D,
      true,
      `${name}_${Date.now()}`,
    );
    this.optimizer = tf.train.adam(options.lr, 0.9, 0.999);
  }

  get perTask(): number {
    return this.options.batchSize * this.options.batchesPerTask;
  }

  /** The next seeded unlabeled batch of every task as floats, task after task. */
  abstract nextBatch(): Float32Array;

  /** The next batch for the tfjs path (on the device). */
  protected abstract nextInputs(): Inputs;

  /** The per-task losses [T] of the merge at `lambda` on `inputs` (inside tf.variableGrads). */
  protected abstract lossPerTaskAt(lambda: tf.Tensor2D, inputs: Inputs): tf.Tensor1D;

  /** Sum of the per-task losses and its gradient with respect to λ ([T, L]). */
  gradientOf(inputs: Inputs): { perTask: tf.Tensor1D; grad: tf.Tensor2D } {
    let perTask: tf.Tensor1D | undefined;
    const { grads, value } = tf.variableGrads(() => {
      perTask = tf.keep(this.lossPerTaskAt(this.lambda, inputs));
      return tf.sum(perTask);
    }, [this.lambda]);
    value.dispose();
    return { perTask: perTask!, grad: grads[this.lambda.name] as tf.Tensor2D };
  }

  /** Copies the fused engine's λ into the tfjs variable (for evaluation and export). */
  protected async freshLambda(): Promise<void> {
    if (!this.fused || !this.lambdaStale) return;
    const raw = tf.tensor2d(await this.fused.rawLambdas(), this.lambda.shape);
    this.lambda.assign(raw);
    raw.dispose();
    this.lambdaStale = false;
  }

  private event(losses: ArrayLike<number>, lambdas: Float32Array, ms: number): StepEvent {
    const [T, L] = this.lambda.shape;
    const lossPerTask = Array.from(losses);
    return {
      step: this.stepsRun,
      lossPerTask,
      entropyTotal: lossPerTask.reduce((a, b) => a + b, 0),
      lambdas: toMatrix(lambdas, T, L),
      ms,
      timing: { batch: 0, gradient: 0, update: 0, readback: 0 },
    };
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
    const e = this.event(r.lossPerTask, r.lambdas, t2 - started);
    // One submit: merge, forward, backward, Adam and the readback are not separable here.
    e.timing = { batch: t1 - t0, gradient: t2 - started - (t1 - t0), update: 0, readback: 0 };
    return e;
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
    return this.step();
  }

  /** One Adam step on a fresh batch; reads the losses and λ back for the event. */
  async step(): Promise<StepEvent> {
    if (this.fused) return this.fusedStep(this.fused);
    // A tfjs kernel WebGPU cannot run fails the step instead of its numbers (src/tf/validation.ts).
    return tfValidated(() => this.autodiffStep());
  }

  private async autodiffStep(): Promise<StepEvent> {
    const t0 = now();
    const inputs = this.nextInputs();
    const t1 = now();
    const { perTask, grad } = this.gradientOf(inputs);
    const t2 = now();
    this.optimizer.applyGradients([{ name: this.lambda.name, tensor: grad }]);
    const used = this.options.clamp ? tf.clipByValue(this.lambda, 0, 1) : this.lambda.clone();
    const t3 = now();
    const [losses, lambdas] = await Promise.all([perTask.data(), used.data()]);
    const t4 = now();
    tf.dispose([...inputs.tensors, perTask, grad, used]);
    this.stepsRun++;
    const e = this.event(losses, lambdas as Float32Array, t4 - t0);
    e.timing = { batch: t1 - t0, gradient: t2 - t1, update: t3 - t2, readback: t4 - t3 };
    return e;
  }

  /** λ as the forward pass uses it (clamped when `clamp`), or the raw variable. */
  async lambdas(raw = false): Promise<number[][]> {
    await this.freshLambda();
    const t = raw || !this.options.clamp ? this.lambda.clone() : tf.clipByValue(this.lambda, 0, 1);
    const data = await t.data();
    t.dispose();
    return toMatrix(data as Float32Array, this.lambda.shape[0], this.lambda.shape[1]);
  }

  dispose(): void {
    this.fused?.dispose();
    this.optimizer.dispose();
    this.lambda.dispose();
  }
}
