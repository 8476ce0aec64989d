/**
 * The fused AdaMerging step on WebGPU: merge θ = θ₀ + Σₖ clamp(λₖ)·τₖ, the ViT forward of every
 * task's unlabeled batch, the entropy objective, the hand-written backward to ∂loss/∂θ and
 * ∂loss/∂λ, and Adam — ~160 dispatches recorded once (record.ts) and replayed from one command
 * buffer per step, with only the per-task losses and λ read back.
 *
 * Why not tfjs autodiff on WebGPU: on the CPU drivers of GPU-less machines (llvmpipe/lavapipe)
 * a tfjs step — ~1,500 ops whose matMuls and reductions use workgroup-memory tiles and barriers
 * — took 4–6 s in Node; these register-blocked kernels take ~0.15–0.35 s. The math is vit.ts's,
 * op for op; specs and e2e tests compare the gradients with tfjs autodiff on the cpu backend.
 */
import { DispatchPlan, GpuDeviceError, GpuRuntime } from '../../../gpu';
import { WORKGROUP } from './wgsl-linear';
import { FUSED_PHASES, type FusedPhase } from './kernels';
import type { FusedStep } from './step-frame';

export { FUSED_PHASES, type FusedPhase } from './kernels';
export { fusedSupports, vitFusedStep, type FusedInput } from './record';
export type { FusedStep } from './step-frame';

export interface FusedStepResult {
  lossPerTask: Float32Array;
  /** λ as the next forward pass uses it (clamped when `clamp`), T × columns row-major. */
  lambdas: Float32Array;
}

export class FusedAdaMerging {
  readonly label: string;
  readonly tasks: number;
  readonly columns: number;
  /** The device's runtime: pooled buffers, async pipeline cache, device-loss watch. */
  private readonly runtime: GpuRuntime;
  private readonly plan: DispatchPlan;
  private readonly images: GPUBuffer;
  private readonly hyper: GPUBuffer;
  private readonly lambda: GPUBuffer;
  private readonly used: GPUBuffer;
  private readonly loss: GPUBuffer;
  private readonly gradOut: GPUBuffer;
  /** Mappable copies of losses + λ; one per step in flight, reused once read. */
  private readonly freeStaging: GPUBuffer[] = [];
  private readonly imageFloats: number;
  private readonly lr: number;
  private readonly betas: [number, number];
  private t = 0;
  private validated = false;
  /** Resolves when every pipeline is compiled (started by the constructor). */
  readonly ready: Promise<void>;

  /** `step`: an architecture's recorder (record.ts's vitFusedStep, clip-record.ts's clipFusedStep). */
  constructor(
    readonly device: GPUDevice,
    step: FusedStep,
  ) {
    this.label = step.label;
    this.runtime = new GpuRuntime({ device });
    this.plan = new DispatchPlan(this.runtime, WORKGROUP, step.label);
    this.tasks = step.tasks;
    this.columns = step.columns;
    this.lr = step.lr;
    this.betas = step.betas ?? [0.9, 0.999];
    const io = step.record(this.plan);
    this.images = io.images;
    this.hyper = io.hyper;
    this.lambda = io.lambda;
    this.used = io.used;
    this.loss = io.loss;
    this.gradOut = io.gradOut;
    this.imageFloats = io.imageFloats;
    // Compilation starts now, so it overlaps whatever the caller does before the first step.
    this.ready = this.plan.compile();
    this.ready.catch(() => undefined); // reported by the first step that awaits it
  }

  private writeInputs(images: Float32Array, gradOnly: boolean): void {
    if (images.length !== this.imageFloats)
      throw new Error(`${this.label}: expected ${this.imageFloats} pixels, got ${images.length}`);
    const q = this.device.queue;
    q.writeBuffer(this.images, 0, images.buffer, images.byteOffset, images.byteLength);
    const t = this.t + (gradOnly ? 0 : 1);
    const hyper = new Float32Array([
      this.lr,
      1 - this.betas[0] ** t,
      1 - this.betas[1] ** t,
      gradOnly ? 1 : 0,
    ]);
    q.writeBuffer(this.hyper, 0, hyper);
  }

  /**
   * Appends copies of the losses and `count` floats of `source` to `encoder`, submits it and
   * returns their values once the device got there. Nothing waits here: the caller may submit
   * the next step before awaiting this one (queue order keeps steps in sequence).
   */
  private submitAndRead(
    source: GPUBuffer,
    count: number,
    encoder: GPUCommandEncoder,
  ): Promise<Float32Array[]> {
    const T = this.tasks;
    this.plan.check(); // a lost device fails here, with the reason, instead of hanging
    const staging = this.freeStaging.pop() ?? this.plan.readBuffer(4 * (T + T * this.columns));
    encoder.copyBufferToBuffer(this.loss, 0, staging, 0, 4 * T);
    encoder.copyBufferToBuffer(source, 0, staging, 4 * T, 4 * count);
    this.device.queue.submit([encoder.finish()]);
    return staging.mapAsync(GPUMapMode.READ).then(
      () => {
        this.plan.check();
        const all = new Float32Array(staging.getMappedRange().slice(0));
        staging.unmap();
        this.freeStaging.push(staging);
        return [all.slice(0, T), all.slice(T, T + count)];
      },
      (error: unknown) => {
        this.plan.check(); // device lost: its reason rather than the map failure
        throw error;
      },
    );
  }

  /**
   * Submits the whole step; the first one is wrapped in a validation error scope, so a bind
   * group the device rejected fails loudly instead of returning garbage.
   */
  private submitAll(source: GPUBuffer): Promise<Float32Array[]> {
    const check = !this.validated;
    this.validated = true;
    if (check) this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder();
    this.plan.encode(encoder, FUSED_PHASES);
    const out = this.submitAndRead(source, this.tasks * this.columns, encoder);
    if (!check) return out;
    const scope = this.device.popErrorScope();
    return Promise.all([out, scope]).then(([values, error]) => {
      if (error)
        throw new GpuDeviceError(`${this.label}: WebGPU rejected the step: ${error.message}`);
      return values;
    });
  }

  /**
   * Queues one Adam step on `images` ([T·perTask, side²], task after task) and returns its
   * losses and λ when they arrive. Call it again before awaiting to keep the device busy: the
   * next step only needs λ, which Adam leaves on the device.
   */
  async submitStep(images: Float32Array): Promise<FusedStepResult> {
    await this.ready;
    this.writeInputs(images, false);
    this.t++;
    const [lossPerTask, lambdas] = await this.submitAll(this.used);
    return { lossPerTask: lossPerTask!, lambdas: lambdas! };
  }

  /** One Adam step, awaited. */
  step(images: Float32Array): Promise<FusedStepResult> {
    return this.submitStep(images);
  }

  /** The losses and ∂loss/∂λ (clamp mask applied) at the current λ, without updating it. */
  async gradient(images: Float32Array): Promise<{ lossPerTask: Float32Array; grad: Float32Array }> {
    await this.ready;
    this.writeInputs(images, true);
    const [lossPerTask, grad] = await this.submitAll(this.gradOut);
    return { lossPerTask: lossPerTask!, grad: grad! };
  }

  /** One step with each phase submitted and awaited alone: ms per phase plus the readback. */
  async profiledStep(images: Float32Array): Promise<Record<FusedPhase | 'readback', number>> {
    await this.ready;
    this.writeInputs(images, false);
    this.t++;
    await this.device.queue.onSubmittedWorkDone();
    const out = {} as Record<FusedPhase | 'readback', number>;
    for (const phase of FUSED_PHASES) {
      const t0 = performance.now();
      const encoder = this.device.createCommandEncoder();
      this.plan.encode(encoder, [phase]);
      this.device.queue.submit([encoder.finish()]);
      await this.device.queue.onSubmittedWorkDone();
      out[phase] = performance.now() - t0;
    }
    const t0 = performance.now();
    await this.submitAndRead(
      this.used,
      this.tasks * this.columns,
      this.device.createCommandEncoder(),
    );
    out.readback = performance.now() - t0;
    return out;
  }

  /**
   * ms per kernel summed over the blocks ("b2 qkv" counts as "qkv"), most expensive first.
   * Replays the last step's dispatches (λ state is not advanced: Adam runs on the same inputs,
   * so call it only on an engine that is thrown away afterwards).
   */
  async kernelTimes(repeats = 10): Promise<{ kernel: string; ms: number }[]> {
    const sums = new Map<string, number>();
    for (const { label, ms } of await this.plan.timeDispatches(repeats)) {
      // "b2 qkv" counts as "qkv"; the merge's per-matrix transposes count as one.
      const kernel = label.replace(/^b\d+ /, '').replace(/^encoder\..*ᵀ$/, 'θᵀ (transposes)');
      sums.set(kernel, (sums.get(kernel) ?? 0) + ms);
    }
    return [...sums].map(([kernel, ms]) => ({ kernel, ms })).sort((a, b) => b.ms - a.ms);
  }

  /** The raw λ variable (may leave [0, 1] when clamping). */
  async rawLambdas(): Promise<Float32Array> {
    await this.ready;
    const [, raw] = await this.submitAndRead(
      this.lambda,
      this.tasks * this.columns,
      this.device.createCommandEncoder(),
    );
    return raw!;
  }

  dispose(): void {
    this.runtime.dispose();
  }
}
