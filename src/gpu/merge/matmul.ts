/**
 * The SVD merges' big products on WebGPU: a matrix (f32, m × n) resident on the device in
 * blocks of whole rows (each within the storage-binding limit, 128 MiB on the compatibility
 * adapter), multiplied by thin float64 matrices from the CPU (rounded to f32 for the upload):
 * a·x and aᵀ·y (the range finder's two products and the far side of the exact SVD) and the
 * Gram matrix of the short side (a·aᵀ or aᵀ·a, for exact-svd.ts). Products accumulate in f32
 * on the device; block partial sums are added in float64 here. The CPU twins are
 * src/merge/cpu/dense.ts's matmul / matmulTN / matmulNT (float64 throughout).
 */
import { columns, zeros, type Mat } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { UniformWriter } from './encode';

/** Output tile of one workgroup of matmul.wgsl. */
const TILE = 32;

interface Block {
  buffer: GPUBuffer;
  begin: number;
  rows: number;
}

interface Product {
  a: GPUBuffer;
  b: GPUBuffer;
  m: number;
  n: number;
  k: number;
  transposeA?: boolean;
  transposeB?: boolean;
  /** Row strides as stored (default: dense) and first elements (default 0). */
  lda?: number;
  ldb?: number;
  aOffset?: number;
}

export class GpuMatrix {
  private readonly blocks: Block[] = [];

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

  /** a · x (x: cols × l) → rows × l; `split`: x to ≈ 2⁻⁴⁸ (see upload). */
  async times(x: Mat, split = false): Promise<Mat> {
    if (x.rows !== this.cols)
      throw new Error(`matmul: inner dimensions differ (${this.cols} vs ${x.rows})`);
    const out = zeros(this.rows, x.cols);
    const tallest = Math.max(...this.blocks.map((b) => b.rows));
    for (const [begin, end] of this.columnChunks(x.rows, tallest, x.cols)) {
      for (const block of this.blocks) {
        const p = { a: block.buffer, m: block.rows, n: end - begin, k: this.cols };
        await this.addProducts(columns(x, begin, end), split, p, out, block.begin, begin);
      }
    }
    return out;
  }

  /** aᵀ · y (y: rows × l) → cols × l: each block's aᵀ·y added in float64; `split` as times. */
  async transposeTimes(y: Mat, split = false): Promise<Mat> {
    if (y.rows !== this.rows)
      throw new Error(`matmulTN: inner dimensions differ (${this.rows} vs ${y.rows})`);
    const out = zeros(this.cols, y.cols);
    for (const [begin, end] of this.columnChunks(this.rows, this.cols, y.cols)) {
      for (const block of this.blocks) {
        const p = {
          a: block.buffer,
          m: this.cols,
          n: end - begin,
          k: block.rows,
          transposeA: true,
        };
        const part = columns(y, begin, end, block.begin, block.begin + block.rows);
        await this.addProducts(part, split, p, out, 0, begin);
      }
    }
    return out;
  }

  /** op(a) · x (x uploaded whole, or split) added into out at (row0, col0) in float64. */
  private async addProducts(
    x: Mat,
    split: boolean,
    p: Omit<Product, 'b'>,
    out: Mat,
    row0: number,
    col0: number,
  ): Promise<void> {
    const parts = this.upload(x, split);
    try {
      for (const b of parts) addInto(out, await this.product({ ...p, b }), row0, col0, p.m, p.n);
    } finally {
      await this.rt.release(parts);
    }
  }

  /**
   * The Gram matrix of the short side: a·aᵀ (rows × rows) when rows ≤ cols, else aᵀ·a
   * (cols × cols), symmetric, block partial sums added in float64.
   */
  gram(): Promise<Mat> {
    return this.rows <= this.cols ? this.rowGram() : this.columnGram();
  }

  dispose(): Promise<void> {
    return this.rt.release(this.blocks.map((b) => b.buffer));
  }

  /** a·aᵀ (rows × rows). */
  async rowGram(): Promise<Mat> {
    const r = this.rows;
    const g = zeros(r, r);
    for (const bi of this.blocks) {
      for (const bj of this.blocks) {
        if (bj.begin < bi.begin) continue;
        const part = await this.product({
          a: bi.buffer,
          b: bj.buffer,
          m: bi.rows,
          n: bj.rows,
          k: this.cols,
          transposeB: true,
        });
        for (let i = 0; i < bi.rows; i++) {
          for (let j = 0; j < bj.rows; j++) {
            const v = part[i * bj.rows + j]!;
            g.data[(bi.begin + i) * r + bj.begin + j] = v;
            g.data[(bj.begin + j) * r + bi.begin + i] = v;
          }
        }
      }
    }
    return symmetrised(g);
  }

  /** aᵀ·a (cols × cols), in chunks of output rows that fit a binding. */
  async columnGram(): Promise<Mat> {
    const c = this.cols;
    const g = zeros(c, c);
    const chunk = Math.max(1, Math.floor(this.rt.maxBinding / (4 * c)));
    for (const block of this.blocks) {
      for (let begin = 0; begin < c; begin += chunk) {
        const rows = Math.min(chunk, c - begin);
        const part = await this.product({
          a: block.buffer,
          b: block.buffer,
          m: rows,
          n: c,
          k: block.rows,
          transposeA: true,
          lda: c,
          aOffset: begin,
        });
        const o = begin * c;
        for (let i = 0; i < part.length; i++) g.data[o + i] = g.data[o + i]! + part[i]!;
      }
    }
    return symmetrised(g);
  }

  /** Column ranges of an l-column right operand so that it (k × w) and the output (m × w) fit a binding. */
  private columnChunks(k: number, m: number, l: number): [number, number][] {
    const width = Math.max(1, Math.floor(this.rt.maxBinding / (4 * Math.max(k, m, 1))));
    const chunks: [number, number][] = [];
    for (let begin = 0; begin < l; begin += width) chunks.push([begin, Math.min(l, begin + width)]);
    return chunks;
  }

  private checkOutput(m: number, n: number): void {
    if (4 * m * n > this.rt.maxBinding)
      throw new Error(
        `matmul: a ${m} × ${n} product exceeds one storage binding (${this.rt.maxBinding} bytes)`,
      );
  }

  /**
   * x as f32 buffers: its rounding, then (with `split`) the rounding of what that left
   * out. Products with both parts added in float64 see x to ≈ 2⁻⁴⁸ instead of 2⁻²⁴ —
   * otherwise a·x could not tell a tail direction from ε of a leading one.
   */
  private upload(x: Mat, split: boolean): GPUBuffer[] {
    const hi = Float32Array.from(x.data);
    const parts = [hi];
    if (split) parts.push(Float32Array.from(x.data, (v, i) => v - hi[i]!));
    return parts.map((part) => {
      const buffer = this.rt.storage(4 * part.length, 'matmul-b');
      this.rt.device.queue.writeBuffer(buffer, 0, part);
      return buffer;
    });
  }

  /** out (m × n) = op(a) · op(b), read back. */
  private async product(p: Product): Promise<Float32Array> {
    const { m, n, k } = p;
    this.checkOutput(m, n);
    const rt = this.rt;
    const pipeline = rt.pipeline('matmul', []);
    const uniform = rt.uniform(
      new UniformWriter()
        .u32(m, n, k, p.transposeA ? 1 : 0, p.transposeB ? 1 : 0)
        .u32(p.lda ?? (p.transposeA ? m : k), p.ldb ?? (p.transposeB ? k : n), p.aOffset ?? 0, 0)
        .bytes(),
    );
    const out = rt.storage(4 * m * n, 'matmul-out');
    const encoder = rt.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, rt.bindGroup(pipeline, { 0: p.a, 1: p.b, 2: uniform, 3: out }));
    pass.dispatchWorkgroups(Math.ceil(n / TILE), Math.ceil(m / TILE));
    pass.end();
    try {
      return new Float32Array(await rt.read(out, 0, 4 * m * n, encoder));
    } finally {
      await rt.release([uniform, out]);
    }
  }
}

/** out[row0 + i][col0 + j] += part[i][j] (part: rows × w), in float64. */
function addInto(
  out: Mat,
  part: Float32Array,
  row0: number,
  col0: number,
  rows: number,
  w: number,
) {
  for (let i = 0; i < rows; i++) {
    const o = (row0 + i) * out.cols + col0;
    for (let j = 0; j < w; j++) out.data[o + j] = out.data[o + j]! + part[i * w + j]!;
  }
}

/** (g + gᵀ)/2: the device's sums of a·b and b·a may round differently. */
function symmetrised(g: Mat): Mat {
  const r = g.rows;
  for (let i = 0; i < r; i++) {
    for (let j = i + 1; j < r; j++) {
      const v = (g.data[i * r + j]! + g.data[j * r + i]!) / 2;
      g.data[i * r + j] = v;
      g.data[j * r + i] = v;
    }
  }
  return g;
}
