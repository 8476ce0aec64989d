/**
 * A tiny recorder for the fused engine: buffers, pipelines cached per device by shader text, and
 * lists of prepared dispatches (bind groups built once) that a step replays in one compute pass
 * per phase — no per-step allocation, no per-op JS overhead. Dispatches are recorded first and
 * compiled together ({@link GpuPlan.compile}): every pipeline is asked for at once with
 * createComputePipelineAsync, so the driver can compile them in parallel and the first step
 * does not pay ~40 synchronous compilations.
 */
import { WORKGROUP } from './wgsl-linear';

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

/** Compiled (or compiling) pipelines per device, keyed by shader text. */
const pipelines = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

export class GpuPlan {
  readonly phases = new Map<string, Dispatch[]>();
  private readonly recorded = new Map<string, Recorded[]>();
  private readonly buffers: GPUBuffer[] = [];
  private readonly cache: Map<string, Promise<GPUComputePipeline>>;
  private compiled: Promise<void> | null = null;

  constructor(readonly device: GPUDevice) {
    let c = pipelines.get(device);
    if (!c) pipelines.set(device, (c = new Map()));
    this.cache = c;
  }

  buffer(floats: number, label: string, init?: Float32Array | Uint32Array): GPUBuffer {
    const b = this.device.createBuffer({
      label,
      size: Math.max(16, Math.ceil((floats * 4) / 16) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    if (init) this.device.queue.writeBuffer(b, 0, init.buffer, init.byteOffset, init.byteLength);
    this.buffers.push(b);
    return b;
  }

  readBuffer(bytes: number): GPUBuffer {
    const b = this.device.createBuffer({
      size: Math.ceil(bytes / 16) * 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.buffers.push(b);
    return b;
  }

  private pipeline(code: string): Promise<GPUComputePipeline> {
    let p = this.cache.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipelineAsync({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      // A rejected compilation must not stay cached for the next engine on this device.
      p.catch(() => this.cache.delete(code));
      this.cache.set(code, p);
    }
    return p;
  }

  /** Records a dispatch of `code` over `invocations` threads into `phase`; bindings in order 0…n. */
  add(phase: string, label: string, code: string, bindings: Range[], invocations: number): void {
    if (this.compiled) throw new Error('fused AdaMerging: the plan is already compiled');
    const workgroups = Math.ceil(invocations / WORKGROUP);
    if (workgroups > 65535)
      throw new Error(`fused AdaMerging: ${label} needs ${workgroups} workgroups`);
    let list = this.recorded.get(phase);
    if (!list) this.recorded.set(phase, (list = []));
    list.push({ code, bindings, workgroups, label });
  }

  /**
   * Compiles every recorded pipeline (all requested at once) and builds the bind groups; once,
   * however often it is called. {@link encode} needs it done.
   */
  compile(): Promise<void> {
    this.compiled ??= (async () => {
      const all = [...this.recorded.values()].flat();
      const compiled = await Promise.all(all.map((d) => this.pipeline(d.code)));
      let i = 0;
      for (const [phase, list] of this.recorded) {
        this.phases.set(
          phase,
          list.map((d) => {
            const pipeline = compiled[i++]!;
            const bindGroup = this.device.createBindGroup({
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
            return { pipeline, bindGroup, workgroups: d.workgroups, label: d.label };
          }),
        );
      }
    })();
    return this.compiled;
  }

  /** Encodes the given phases' dispatches, one compute pass each. */
  encode(encoder: GPUCommandEncoder, phases: string[]): void {
    if (this.phases.size === 0 && this.recorded.size > 0)
      throw new Error('fused AdaMerging: compile() the plan before encoding it');
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

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}
