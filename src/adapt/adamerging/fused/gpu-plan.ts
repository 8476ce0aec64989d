/**
 * A tiny recorder for the fused engine: buffers, pipelines cached per device by shader text, and
 * lists of prepared dispatches (bind groups built once) that a step replays in one compute pass
 * per phase — no per-step allocation, no per-op JS overhead.
 */
import { WORKGROUP } from './wgsl-linear';

/** A float range of a buffer; offsets must be multiples of 64 floats (256 bytes). */
export interface Range {
  buffer: GPUBuffer;
  offset?: number;
  length?: number;
}

interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: number;
  label: string;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export class GpuPlan {
  readonly phases = new Map<string, Dispatch[]>();
  private readonly buffers: GPUBuffer[] = [];
  private readonly cache: Map<string, GPUComputePipeline>;

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

  private pipeline(code: string): GPUComputePipeline {
    let p = this.cache.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      this.cache.set(code, p);
    }
    return p;
  }

  /** Records a dispatch of `code` over `invocations` threads into `phase`; bindings in order 0…n. */
  add(phase: string, label: string, code: string, bindings: Range[], invocations: number): void {
    const pipeline = this.pipeline(code);
    const bindGroup = this.device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((r, binding) => ({
        binding,
        resource: {
          buffer: r.buffer,
          offset: (r.offset ?? 0) * 4,
          ...(r.length !== undefined ? { size: Math.max(4, r.length * 4) } : {}),
        },
      })),
    });
    const workgroups = Math.ceil(invocations / WORKGROUP);
    if (workgroups > 65535)
      throw new Error(`fused AdaMerging: ${label} needs ${workgroups} workgroups`);
    let list = this.phases.get(phase);
    if (!list) this.phases.set(phase, (list = []));
    list.push({ pipeline, bindGroup, workgroups, label });
  }

  /** Encodes the given phases' dispatches, one compute pass each. */
  encode(encoder: GPUCommandEncoder, phases: string[]): void {
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
   * ms per recorded dispatch (the fastest of `reps` lone, awaited submits), keyed by label:
   * the per-kernel "where the time goes" of the benchmark. Run after a real step (valid inputs).
   */
  async timeDispatches(reps = 3): Promise<{ label: string; phase: string; ms: number }[]> {
    const out: { label: string; phase: string; ms: number }[] = [];
    for (const [phase, list] of this.phases) {
      for (const d of list) {
        // The fastest of `reps` lone submits: the machine is shared, the minimum is the cost.
        let best = Infinity;
        for (let i = 0; i < reps; i++) {
          const t0 = performance.now();
          const encoder = this.device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, d.bindGroup);
          pass.dispatchWorkgroups(d.workgroups);
          pass.end();
          this.device.queue.submit([encoder.finish()]);
          await this.device.queue.onSubmittedWorkDone();
          best = Math.min(best, performance.now() - t0);
        }
        out.push({ label: d.label, phase, ms: best });
      }
    }
    return out;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}
