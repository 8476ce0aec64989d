/**
 * The SVD merges' big products on WebGPU: a task-vector matrix (f32, m × n) resident on the
 * device in blocks of whole rows (each within the storage-binding limit, 128 MiB on the
 * compatibility adapter), multiplied by thin float64 matrices from the CPU (rounded to f32
 * for the upload) — a·x and aᵀ·y, the randomised range finder's two products. Products
 * accumulate in f32 on the device; aᵀ·y adds the blocks' partial products in float64 here.
 * The CPU twin is src/merge/cpu/dense.ts (matmul / matmulTN, float64 throughout).
 */
import { zeros, type Mat } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { UniformWriter } from './encode';

const TILE = 8;

function params(m: number, n: number, k: number, transposeA: boolean): ArrayBuffer {
  return new UniformWriter().u32(m, n, k, transposeA ? 1 : 0).bytes();
}

export class GpuMatrix {
  private readonly blocks: { buffer: GPUBuffer; begin: number; rows: number }[] = [];

  constructor(
    private readonly rt: GpuRuntime,
    data: Float32Array,
    readonly rows: number,
    readonly cols: number,
  ) {
    const rowsPerBlock = Math.max(1, Math.floor(rt.maxBinding / (4 * Math.max(cols, 1))));
    for (let begin = 0; begin < rows; begin += rowsPerBlock) {
      const count = Math.min(rowsPerBlock, rows - begin);
      const buffer = rt.storage(4 * count * cols, 'matmul-a');
      const part = data.subarray(begin * cols, (begin + count) * cols);
      rt.device.queue.writeBuffer(buffer, 0, part as Float32Array<ArrayBuffer>);
      this.blocks.push({ buffer, begin, rows: count });
    }
  }

  /** a · x (x: cols × l) → rows × l. */
  async times(x: Mat): Promise<Mat> {
    if (x.rows !== this.cols)
      throw new Error(`matmul: inner dimensions differ (${this.cols} vs ${x.rows})`);
    const out = zeros(this.rows, x.cols);
    const right = this.upload(x);
    try {
      for (const block of this.blocks) {
        const part = await this.product(block.buffer, right, block.rows, x.cols, this.cols, false);
        out.data.set(part, block.begin * x.cols);
      }
    } finally {
      await this.rt.release([right]);
    }
    return out;
  }

  /** aᵀ · y (y: rows × l) → cols × l: each block's aᵀ·y added in float64. */
  async transposeTimes(y: Mat): Promise<Mat> {
    if (y.rows !== this.rows)
      throw new Error(`matmulTN: inner dimensions differ (${this.rows} vs ${y.rows})`);
    const out = zeros(this.cols, y.cols);
    for (const block of this.blocks) {
      const slice: Mat = {
        rows: block.rows,
        cols: y.cols,
        data: y.data.subarray(block.begin * y.cols, (block.begin + block.rows) * y.cols),
      };
      const right = this.upload(slice);
      try {
        const part = await this.product(block.buffer, right, this.cols, y.cols, block.rows, true);
        for (let i = 0; i < part.length; i++) out.data[i] = out.data[i]! + part[i]!;
      } finally {
        await this.rt.release([right]);
      }
    }
    return out;
  }

  dispose(): Promise<void> {
    return this.rt.release(this.blocks.map((b) => b.buffer));
  }

  private upload(x: Mat): GPUBuffer {
    const buffer = this.rt.storage(4 * x.data.length, 'matmul-b');
    this.rt.device.queue.writeBuffer(buffer, 0, Float32Array.from(x.data));
    return buffer;
  }

  /** out (m × n) = a (m × k, or its transpose stored k × m) · b (k × n), read back. */
  private async product(
    a: GPUBuffer,
    b: GPUBuffer,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
  ): Promise<Float32Array> {
    const rt = this.rt;
    const pipeline = rt.pipeline('matmul', []);
    const uniform = rt.uniform(params(m, n, k, transposeA));
    const out = rt.storage(4 * m * n, 'matmul-out');
    const encoder = rt.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, rt.bindGroup(pipeline, { 0: a, 1: b, 2: uniform, 3: out }));
    pass.dispatchWorkgroups(Math.ceil(n / TILE), Math.ceil(m / TILE));
    pass.end();
    try {
      return new Float32Array(await rt.read(out, 0, 4 * m * n, encoder));
    } finally {
      await rt.release([uniform, out]);
    }
  }
}
