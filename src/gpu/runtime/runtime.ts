import type { GpuContext } from '../adapter';
import { shaderSource } from '../kernels/compose';
import type { ShaderName } from '../kernels/shaders.generated';
import { BufferPool } from './buffer-pool';
import { WORKGROUP_SIZE } from './dispatch';
import { watchDevice, type DeviceWatch } from './gpu-errors';
import { getPipeline } from './pipeline-cache';
import { readBuffer, readRanges, type ReadRange } from './readback';

export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/**
 * Everything a kernel wrapper needs from the device: cached pipelines, pooled buffers,
 * readback and the device watch. One per backend instance.
 */
export class GpuRuntime {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly watch: DeviceWatch;
  /** Usable bytes of one storage binding (128 MiB on the compatibility adapter). */
  readonly maxBinding: number;
  /** Wall-clock milliseconds per phase, accumulated when profiling is on (docs/gpu.md). */
  readonly phases = new Map<string, number>();
  profiling = false;
  /** Use the vectorised kernels (ta_vec4.wgsl) where they apply; tests turn this off to compare. */
  vectorKernels = true;

  /** `ctx`: an adapter context, or just a device (e.g. the one tfjs's webgpu backend uses). */
  constructor(ctx: Pick<GpuContext, 'device'>, maxBindingBytes?: number) {
    this.device = ctx.device;
    this.pool = new BufferPool(ctx.device);
    this.watch = watchDevice(ctx.device);
    this.maxBinding = Math.min(
      ctx.device.limits.maxStorageBufferBindingSize,
      ctx.device.limits.maxBufferSize,
      maxBindingBytes ?? Infinity,
    );
  }

  /**
   * The cached pipeline of entry point `entry` of kernel file `name` (after its snippets).
   * `constants` are extra WGSL overrides baked into this pipeline (part of the cache key).
   */
  pipeline(
    name: ShaderName,
    parts: ShaderName[],
    entry = 'main',
    constants: Record<string, number> = {},
  ): GPUComputePipeline {
    return getPipeline(this.device, {
      name,
      code: shaderSource(name, [...parts, name]),
      entryPoint: entry,
      constants: { WG: WORKGROUP_SIZE, ...constants },
    });
  }

  /** A pooled uniform buffer holding `data` (written now, before any later submit). */
  uniform(data: ArrayBuffer | ArrayBufferView): GPUBuffer {
    const size = data.byteLength;
    const buffer = this.pool.acquire(
      size,
      GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      'uniform',
    );
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    this.device.queue.writeBuffer(buffer, 0, bytes as Uint8Array<ArrayBuffer>);
    return buffer;
  }

  storage(size: number, label = 'storage'): GPUBuffer {
    return this.pool.acquire(
      Math.max(4, size),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
      label,
    );
  }

  bindGroup(pipeline: GPUComputePipeline, bindings: Record<number, Binding>): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: Object.entries(bindings).map(([binding, b]) => ({
        binding: Number(binding),
        resource: 'buffer' in b && !(b instanceof GPUBuffer) ? b : { buffer: b },
      })),
    });
  }

  /** Zero-fills a buffer range through the encoder (a command, so it is ordered with kernels). */
  clear(encoder: GPUCommandEncoder, buffer: GPUBuffer, size: number): void {
    encoder.clearBuffer(buffer, 0, Math.ceil(size / 4) * 4);
  }

  read(
    source: GPUBuffer,
    offset: number,
    size: number,
    encoder?: GPUCommandEncoder,
  ): Promise<ArrayBuffer> {
    return readBuffer(this.device, this.pool, source, offset, size, encoder);
  }

  /**
   * Reads the ranges back to back through one staging buffer; `consume` copies what it needs
   * out of the mapped bytes (valid only during the call), saving the copy `read` makes.
   */
  readRanges<T>(
    ranges: ReadRange[],
    consume: (mapped: ArrayBuffer) => T,
    encoder?: GPUCommandEncoder,
  ): Promise<T> {
    return readRanges(this.device, this.pool, ranges, consume, encoder);
  }

  release(buffers: GPUBuffer[]): Promise<void> {
    return this.pool.releaseAfterSubmit(buffers);
  }

  /**
   * Adds the time since `since` to `phase` (after the queue drains, so GPU work is counted).
   * A no-op unless profiling; returns the new start time.
   */
  async phase(phase: string, since: number): Promise<number> {
    if (!this.profiling) return since;
    await this.device.queue.onSubmittedWorkDone();
    const now = performance.now();
    this.phases.set(phase, (this.phases.get(phase) ?? 0) + now - since);
    return now;
  }

  dispose(): void {
    this.watch.dispose();
    this.pool.dispose();
  }
}
