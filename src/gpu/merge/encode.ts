import { grid, WORKGROUP_SIZE } from '../runtime/dispatch';
import type { Binding, GpuRuntime } from '../runtime/runtime';

/** Records one compute dispatch of `groups` workgroups (folded into a 2-D grid). */
export function encodeGroups(
  rt: GpuRuntime,
  encoder: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  bindings: Record<number, Binding>,
  groups: number,
): void {
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, rt.bindGroup(pipeline, bindings));
  const [x, y] = grid(rt.device, groups);
  pass.dispatchWorkgroups(x, y);
  pass.end();
}

/** One thread per element for `threads` elements. */
export function encodeThreads(
  rt: GpuRuntime,
  encoder: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  bindings: Record<number, Binding>,
  threads: number,
): void {
  encodeGroups(rt, encoder, pipeline, bindings, Math.ceil(threads / WORKGROUP_SIZE));
}

/** Elements one reduction workgroup covers (reduce_common.wgsl: WG threads × ITEMS). */
export const BLOCK_ELEMENTS = WORKGROUP_SIZE * 16;

export interface ReduceShape {
  quantities: number;
  segments: number;
  segLen: number;
  blocksPerSeg: number;
}

export function reduceShape(quantities: number, len: number, segLen: number): ReduceShape {
  const seg = Math.min(segLen, len);
  return {
    quantities,
    segments: Math.max(1, Math.ceil(len / seg)),
    segLen: seg,
    blocksPerSeg: Math.max(1, Math.ceil(seg / BLOCK_ELEMENTS)),
  };
}

export function reduceGroups(s: ReduceShape): number {
  return s.quantities * s.segments * s.blocksPerSeg;
}

/** ReduceGrid (reduce_common.wgsl) as 4 u32. */
export function reduceGridWords(s: ReduceShape): number[] {
  return [s.quantities, s.segments, s.segLen, s.blocksPerSeg];
}

/**
 * Adds block partials (f32, laid out [q][segment][block]) into f64 sums[q][firstSeg + seg]:
 * the GPU sums ≤ 1024 elements per block in f32, the rest is summed here in doubles.
 */
export function accumulatePartials(
  partials: Float32Array,
  s: ReduceShape,
  sums: Float64Array[],
  firstSeg: number,
): void {
  let p = 0;
  for (let q = 0; q < s.quantities; q++) {
    const target = sums[q] as Float64Array;
    for (let seg = 0; seg < s.segments; seg++) {
      let acc = 0;
      for (let b = 0; b < s.blocksPerSeg; b++) acc += partials[p++] as number;
      target[firstSeg + seg] = (target[firstSeg + seg] as number) + acc;
    }
  }
}

/** A small f32/u32 uniform payload builder (std140-like: callers pad to 16 bytes). */
export class UniformWriter {
  private readonly words: number[] = [];
  private readonly kinds: ('u' | 'f')[] = [];
  u32(...values: number[]): this {
    for (const v of values) {
      this.words.push(v >>> 0);
      this.kinds.push('u');
    }
    return this;
  }
  f32(...values: number[]): this {
    for (const v of values) {
      this.words.push(v);
      this.kinds.push('f');
    }
    return this;
  }
  /** Pads with zero words up to `count` words in total. */
  padTo(count: number): this {
    while (this.words.length < count) this.u32(0);
    return this;
  }
  get length(): number {
    return this.words.length;
  }
  bytes(): ArrayBuffer {
    const buf = new ArrayBuffer(Math.max(16, Math.ceil(this.words.length / 4) * 16));
    const u = new Uint32Array(buf);
    const f = new Float32Array(buf);
    this.words.forEach((w, i) => {
      if (this.kinds[i] === 'f') f[i] = w;
      else u[i] = w;
    });
    return buf;
  }
}
