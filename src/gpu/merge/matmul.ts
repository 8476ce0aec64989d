/**
 * The SVD merges' big products on WebGPU: a matrix (f32, m × n) resident on the device in
 * blocks of whole rows (each within the storage-binding limit, 128 MiB on the compatibility
 * adapter), multiplied by thin float64 matrices from the CPU (rounded to f32 for the upload):
 * a·x and aᵀ·y (the range finder's two products and the far side of the exact SVD) and the
 * Gram matrix of the short side (a·aᵀ or aᵀ·a, for exact-svd.ts). Products accumulate in f32
 * on the device; block partial sums are added in float64 here. The CPU twins are
 * src/merge/cpu/dense.ts's matmul / matmulTN / matmulNT (float64 throughout).
 *
 * `compensated` (exact-svd.ts's W = aᵀ·Q): a·x and aᵀ·y sum with matmul.wgsl's COMPENSATED
 * kernel (TwoProduct + TwoSum, a sum and its error per output) and a float64 matrix keeps the
 * rounding of its f32 copy in a second set of blocks (twice the device memory), so a product
 * sees both operands to ≈ 2⁻⁴⁸ and sums them as in twice f32's precision: a sum that cancels
 * from ≈ σ₁ down to a tail σᵢ keeps ≈ ε·σᵢ instead of ε·σ₁.
 */
import { columns, zeros, type Mat } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { UniformWriter } from './encode';

/** Output tile of one workgroup of matmul.wgsl. */
const TILE = 32;

interface Block {
  buffer: GPUBuffer;
  /** With `compensated`, a float64 matrix's rows minus their f32 rounding. */
  lo?: GPUBuffer;
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
  /** matmul.wgsl's COMPENSATED kernel: the result is its sums plus their errors, in float64. */
  compensated?: boolean;
}

export class GpuMatrix {
  private readonly blocks: Block[] = [];

  constructor(
    private readonly rt: GpuRuntime,
    data: Float32Array | Float64Array,
    readonly rows: number,
    readonly cols: number,
    private readonly compensated = false,
  ) {
    const rowsPerBlock = Math.max(1, Math.floor(rt.maxBinding / (4 * Math.max(cols, 1))));
    const keepLo = compensated && data instanceof Float64Array;
    for (let begin = 0; begin < rows; begin += rowsPerBlock) {
      const count = Math.min(rowsPerBlock, rows - begin);
      const part = data.subarray(begin * cols, (begin + count) * cols);
      const hi = part instanceof Float32Array ? part : Float32Array.from(part);
      const block: Block = { buffer: this.put(hi, 'matmul-a'), begin, rows: count };
      const lo = keepLo ? roundingOf(part, hi) : undefined;
      if (lo?.some((v) => v !== 0)) block.lo = this.put(lo, 'matmul-a-lo');
      this.blocks.push(block);
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
        await this.addProducts(columns(x, begin, end), split, p, block, out, block.begin, begin);
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
        await this.addProducts(part, split, p, block, out, 0, begin);
      }
    }
    return out;
  }

  /**
   * op(a) · x (x uploaded whole, or split) added into out at (row0, col0) in float64. With
   * `compensated`, a_hi·x_hi is the compensated product and the corrections a_hi·x_lo and
   * a_lo·x_hi (each ≈ 2⁻²⁴ of it, so plain f32 sums suffice) are added to it.
   */
  private async addProducts(
    x: Mat,
    split: boolean,
    p: Omit<Product, 'b'>,
    block: Block,
    out: Mat,
    row0: number,
    col0: number,
  ): Promise<void> {
    const parts = this.upload(x, split);
    const products: Product[] = parts.map((b, i) => ({
      ...p,
      b,
      compensated: this.compensated && i === 0,
    }));
    if (block.lo) products.push({ ...p, a: block.lo, b: parts[0]! });
    try {
      for (const q of products) addInto(out, await this.product(q), row0, col0, p.m, p.n);
    } finally {
      await this.rt.release(parts);
    }
  }

  /**
   * The Gram matrix of the short side: a·aᵀ (rows × rows) when rows ≤ cols, else aᵀ·a
   * (cols × cols), symmetric, block partial sums added in float64; plain f32 sums of the f32
   * copy even when compensated (exact-svd.ts's step 1 only needs a basis from it).
   */
  gram(): Promise<Mat> {
    return this.rows <= this.cols ? this.rowGram() : this.columnGram();
  }

  dispose(): Promise<void> {
    return this.rt.release(this.blocks.flatMap((b) => (b.lo ? [b.buffer, b.lo] : [b.buffer])));
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

  /**
   * aᵀ·a (cols × cols), in chunks of output rows that fit a binding. `compensated` (a matrix
   * made compensated): hiᵀ·hi compensated plus hiᵀ·lo + loᵀ·hi — for exact-svd.ts's Wᵀ·W, whose
   * entries choose where a top k ends inside a flat noise floor; plain f32 sums, ε·σᵢ·σⱼ off,
   * moved TSV-M's and Iso-CTS's merges by 1e-6 of their scale.
   */
  async columnGram(compensated = false): Promise<Mat> {
    const c = this.cols;
    const g = zeros(c, c);
    const words = compensated ? 2 : 1;
    const chunk = Math.max(1, Math.floor(this.rt.maxBinding / (4 * words * c)));
    for (const block of this.blocks) {
      for (let begin = 0; begin < c; begin += chunk) {
        const rows = Math.min(chunk, c - begin);
        const p = { m: rows, n: c, k: block.rows, transposeA: true, lda: c, aOffset: begin };
        const { buffer: hi, lo } = block;
        const pairs: [GPUBuffer, GPUBuffer, boolean][] = [[hi, hi, compensated]];
        if (lo && compensated) pairs.push([hi, lo, false], [lo, hi, false]);
        for (const [a, b, compensated] of pairs) {
          const part = await this.product({ ...p, a, b, compensated });
          const o = begin * c;
          for (let i = 0; i < part.length; i++) g.data[o + i] = g.data[o + i]! + part[i]!;
        }
      }
    }
    return symmetrised(g);
  }

  /** Column ranges of an l-column right operand so that it (k × w) and the output (m × w) fit a binding. */
  private columnChunks(k: number, m: number, l: number): [number, number][] {
    const outWords = this.compensated ? 2 * m : m; // a sum and its error per output
    const width = Math.max(1, Math.floor(this.rt.maxBinding / (4 * Math.max(k, outWords, 1))));
    const chunks: [number, number][] = [];
    for (let begin = 0; begin < l; begin += width) chunks.push([begin, Math.min(l, begin + width)]);
    return chunks;
  }

  private checkOutput(m: number, n: number, words: number): void {
    if (4 * words * m * n > this.rt.maxBinding)
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
    const parts = split ? [hi, roundingOf(x.data, hi)] : [hi];
    return parts.map((part) => this.put(part, 'matmul-b'));
  }

  private put(data: Float32Array, label: string): GPUBuffer {
    const buffer = this.rt.storage(4 * data.length, label);
    this.rt.device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
    return buffer;
  }

  /** out (m × n) = op(a) · op(b), read back (compensated: sums + errors, in float64). */
  private async product(p: Product): Promise<Float32Array | Float64Array> {
    const { m, n, k } = p;
    const words = p.compensated ? 2 : 1;
    this.checkOutput(m, n, words);
    const rt = this.rt;
    const pipeline = rt.pipeline('matmul', [], 'main', { COMPENSATED: p.compensated ? 1 : 0 });
    const uniform = rt.uniform(
      new UniformWriter()
        .u32(m, n, k, p.transposeA ? 1 : 0, p.transposeB ? 1 : 0)
        .u32(p.lda ?? (p.transposeA ? m : k), p.ldb ?? (p.transposeB ? k : n), p.aOffset ?? 0, 0)
        .f32(1)
        .bytes(),
    );
    const out = rt.storage(4 * words * m * n, 'matmul-out');
    const encoder = rt.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, rt.bindGroup(pipeline, { 0: p.a, 1: p.b, 2: uniform, 3: out }));
    pass.dispatchWorkgroups(Math.ceil(n / TILE), Math.ceil(m / TILE));
    pass.end();
    try {
      const sums = new Float32Array(await rt.read(out, 0, 4 * words * m * n, encoder));
      if (!p.compensated) return sums;
      return Float64Array.from({ length: m * n }, (_, i) => sums[i]! + sums[m * n + i]!);
    } finally {
      await rt.release([uniform, out]);
    }
  }
}

/** out[row0 + i][col0 + j] += part[i][j] (part: rows × w), in float64. */
function addInto(
  out: Mat,
  part: ArrayLike<number>,
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

/** What rounding `data` to `hi` (its f32 copy) left out, as f32. */
function roundingOf(data: ArrayLike<number>, hi: Float32Array): Float32Array {
  return Float32Array.from(hi, (v, i) => data[i]! - v);
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
