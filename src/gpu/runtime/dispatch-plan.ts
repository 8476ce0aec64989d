/**
 * A recorded plan of compute dispatches on a GpuRuntime, for fused engines that replay the same
 * ~100–200 dispatches every step (AdaMerging's step): buffers from the runtime's pool, dispatch
 * lists per phase with their bind groups built once, replayed in one compute pass per phase —
 * no per-step allocation, no per-op JS overhead. Dispatches are recorded first and compiled
 * together ({@link DispatchPlan.compile}): every pipeline is requested at once through the
 * runtime's async pipeline cache, so the driver compiles them in parallel and the first step
 * does not pay dozens of synchronous compilations. Device loss and uncaptured errors surface
 * through the runtime's watch ({@link DispatchPlan.check}).
 */
import { getPipelineAsync } from './pipeline-cache';
import type { GpuRuntime } from './runtime';

/** A float range of a buffer; offsets must be multiples of 64 floats (256 bytes). */
export interface Range {
  buffer: GPUBuffer;
  offset?: number;
  length?: number;
}

interface Recorded {
  code: string;
  bindings: Range[];
  workgroups: number;
  label: string;
}

interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: number;
  label: string;
}

export class DispatchPlan {
  readonly phases = new Map<string, Dispatch[]>();
  private readonly recorded = new Map<string, Recorded[]>();
  private readonly buffers: GPUBuffer[] = [];
  private compiled: Promise<void> | null = null;

  constructor(
    readonly runtime: GpuRuntime,
    /** Threads per workgroup of every recorded shader (dispatch size = invocations / it). */
    readonly workgroupSize: number,
    /** Prefix of error messages (the engine's name). */
    readonly what = 'WebGPU plan',
  ) {}

  get device(): GPUDevice {
    return this.runtime.device;
  }

  /** A storage buffer of `floats` f32 (or u32) values, holding `init` or zeros. */
  buffer(floats: number, label: string, init?: Float32Array | Uint32Array): GPUBuffer {
    const b = this.runtime.pool.acquire(
      Math.max(16, Math.ceil((floats * 4) / 16) * 16),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    );
    if (init) this.device.queue.writeBuffer(b, 0, init.buffer, init.byteOffset, init.byteLength);
    else this.zeroFill(b);
    this.buffers.push(b);
    return b;
  }

  /** A mappable staging buffer for reading `bytes` back. */
  readBuffer(bytes: number): GPUBuffer {
    const b = this.runtime.pool.acquire(
      Math.ceil(bytes / 16) * 16,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      'readback',
    );
    this.buffers.push(b);
    return b;
  }

  /** Records a dispatch of `code` over `invocations` threads into `phase`; bindings in order 0…n. */
  add(phase: string, label: string, code: string, bindings: Range[], invocations: number): void {
    if (this.compiled) throw new Error(`${this.what}: the plan is already compiled`);
    const workgroups = Math.ceil(invocations / this.workgroupSize);
    if (workgroups > 65535)
      throw new Error(`${this.what}: ${label} needs ${workgroups} workgroups`);
    let list = this.recorded.get(phase);
    if (!list) this.recorded.set(phase, (list = []));
    list.push({ code, bindings, workgroups, label });
  }

  /** Throws GpuDeviceError if the device was lost or reported an error since the last check. */
  check(): void {
    this.runtime.watch.check();
  }

  /**
   * Compiles every recorded pipeline (all requested at once) and builds the bind groups; once,
   * however often it is called. {@link encode} needs it done.
   */
  compile(): Promise<void> {
    this.compiled ??= (async () => {
      const all = [...this.recorded.values()].flat();
      const compiled = await Promise.all(
        all.map((d) => getPipelineAsync(this.device, { name: d.label, code: d.code })),
      );
      this.check();
      let i = 0;
      for (const [phase, list] of this.recorded) {
        this.phases.set(
          phase,
          list.map((d) => {
            const pipeline = compiled[i++]!;
            return {
              pipeline,
              bindGroup: this.bindGroup(pipeline, d),
              workgroups: d.workgroups,
              label: d.label,
            };
          }),
        );
      }
    })();
    return this.compiled;
  }

  private bindGroup(pipeline: GPUComputePipeline, d: Recorded): GPUBindGroup {
    return this.device.createBindGroup({
      label: d.label,
      layout: pipeline.getBindGroupLayout(0),
      entries: d.bindings.map((r, binding) => ({
        binding,
        resource: {
          buffer: r.buffer,
          offset: (r.offset ?? 0) * 4,
          ...(r.length !== undefined ? { size: Math.max(4, r.length * 4) } : {}),
        },
      })),
    });
  }

  /**
   * A pooled buffer may hold an earlier user's data: zero it now, in queue order, so a later
   * writeBuffer into it (the caller's initial data) lands after the clear.
   */
  private zeroFill(buffer: GPUBuffer): void {
    const encoder = this.device.createCommandEncoder({ label: 'zero-fill' });
    encoder.clearBuffer(buffer);
    this.device.queue.submit([encoder.finish()]);
  }

  /** Encodes the given phases' dispatches, one compute pass each. */
  encode(encoder: GPUCommandEncoder, phases: readonly string[]): void {
    if (this.phases.size === 0 && this.recorded.size > 0)
      throw new Error(`${this.what}: compile() the plan before encoding it`);
    for (const phase of phases) {
      const pass = encoder.beginComputePass({ label: phase });
      for (const d of this.phases.get(phase) ?? []) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.workgroups);
      }
      pass.end();
    }
  }

  /**
   * ms per recorded dispatch, keyed by label: the per-kernel "where the time goes" of the
   * benchmark. Each dispatch is submitted once alone and once repeated `1 + repeats` times in
   * one pass; the difference over `repeats` is its cost without the submit round trip (≈ 2–3 ms
   * in Chromium, more than most kernels). Fastest of 3 (the machine is shared). Run after a real
   * step; accumulating kernels then compute on garbage, so throw the engine away afterwards.
   */
  async timeDispatches(repeats = 10): Promise<{ label: string; phase: string; ms: number }[]> {
    await this.compile();
    const submit = async (d: Dispatch, times: number): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const encoder = this.device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        for (let r = 0; r < times; r++) {
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, d.bindGroup);
          pass.dispatchWorkgroups(d.workgroups);
        }
        pass.end();
        this.device.queue.submit([encoder.finish()]);
        await this.device.queue.onSubmittedWorkDone();
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const out: { label: string; phase: string; ms: number }[] = [];
    for (const [phase, list] of this.phases) {
      for (const d of list) {
        const ms = ((await submit(d, 1 + repeats)) - (await submit(d, 1))) / repeats;
        out.push({ label: d.label, phase, ms: Math.max(0, ms) });
      }
    }
    return out;
  }

  /** Returns every buffer to the runtime's pool once the queue is done with them. */
  destroy(): Promise<void> {
    const buffers = this.buffers.splice(0);
    return this.runtime.release(buffers);
  }
}
