/**
 * The SVD merges' device products against the CPU reference (dense.ts, float64) on the same
 * inputs: a·x and aᵀ·y with the matrix split into several row blocks, and the randomised top-k
 * SVD with its products on the device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactSvd, gaussian, matmul, matmulNT, matmulTN, type Mat } from '../../merge';
import { reconstruct, topSvd, topSvdWith } from '../../merge';
import { readFixture, relativeError } from '../../merge/testing-read-fixture';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { GpuMatrix } from './matmul';
import { createWebGpuBackend } from './webgpu-backend';

let gpu: ReturnType<typeof createWebGpuBackend>;
beforeAll(async () => {
  // 2 KiB bindings: a 37 × 53 f32 matrix (7.8 KiB) lives in 4 row blocks.
  gpu = createWebGpuBackend(await requireNodeGpu(), { maxBindingBytes: 2048 });
});
afterAll(() => gpu?.dispose());

const f32 = (m: Mat): Mat<Float32Array> => ({ ...m, data: Float32Array.from(m.data) });

describe('GpuMatrix', () => {
  it('a·x and aᵀ·y match the float64 CPU products within 1e-5 relative', async () => {
    const a = f32(gaussian(37, 53, 1));
    const x = gaussian(53, 11, 2);
    const y = gaussian(37, 5, 3);
    const g = new GpuMatrix(gpu.runtime, a.data, 37, 53);
    try {
      expect(relativeError((await g.times(x)).data, matmul(a, x).data)).toBeLessThan(1e-5);
      expect(relativeError((await g.transposeTimes(y)).data, matmulTN(a, y).data)).toBeLessThan(
        1e-5,
      );
    } finally {
      await g.dispose();
    }
  });
});

describe('GpuMatrix Gram matrices and split operands', () => {
  it('a·aᵀ and aᵀ·a over row blocks and output chunks match the CPU within 1e-5', async () => {
    const a = f32(gaussian(37, 53, 4));
    const wide = new GpuMatrix(gpu.runtime, a.data, 37, 53);
    const tall = new GpuMatrix(gpu.runtime, a.data, 53, 37); // the same values read as 53 × 37
    try {
      expect(relativeError((await wide.gram()).data, matmulNT(a, a).data)).toBeLessThan(1e-5);
      const t: Mat<Float32Array> = { rows: 53, cols: 37, data: a.data };
      expect(relativeError((await tall.gram()).data, matmulTN(t, t).data)).toBeLessThan(1e-5);
    } finally {
      await wide.dispose();
      await tall.dispose();
    }
  });

  it('a split operand carries what its f32 rounding drops', async () => {
    // The identity (exact products): a·x is x, so only the upload's rounding can change it.
    const n = 24;
    const eye = new Float32Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const x: Mat = {
      rows: n,
      cols: 1,
      data: Float64Array.from({ length: n }, (_, i) => 1 + i * 2 ** -30),
    };
    const g = new GpuMatrix(gpu.runtime, eye, n, n);
    try {
      expect(Array.from((await g.times(x, true)).data)).toEqual(Array.from(x.data));
      expect(Array.from((await g.times(x)).data)).toEqual(
        Array.from(x.data, (v) => Math.fround(v)),
      );
      expect(Array.from((await g.transposeTimes(x, true)).data)).toEqual(Array.from(x.data));
    } finally {
      await g.dispose();
    }
  });
});

/**
 * The COMPENSATED kernel (TwoProduct + TwoSum) against exact float64 values. Each case is one
 * the plain f32 kernel gets wrong, so a compiler that contracted or reassociated the
 * compensation away would fail it.
 */
describe('GpuMatrix compensated products', () => {
  const both = async <T>(
    data: Float32Array | Float64Array,
    rows: number,
    cols: number,
    run: (g: GpuMatrix) => Promise<T>,
  ): Promise<[plain: T, compensated: T]> => {
    const results: T[] = [];
    for (const compensated of [false, true]) {
      const g = new GpuMatrix(gpu.runtime, data, rows, cols, compensated);
      try {
        results.push(await run(g));
      } finally {
        await g.dispose();
      }
    }
    return [results[0]!, results[1]!];
  };

  it('keep each product’s rounding (TwoProduct through fma)', async () => {
    // k = 1: a·x is the outer product, each entry one f32 × f32 product (exact in float64).
    const a = f32(gaussian(37, 1, 5));
    const x: Mat = { ...gaussian(1, 9, 6) };
    x.data = Float64Array.from(x.data, (v) => Math.fround(v));
    const exact = matmul(a, x).data;
    const [plain, compensated] = await both(a.data, 37, 1, (g) => g.times(x));
    expect(Array.from(compensated.data)).toEqual(Array.from(exact));
    expect(Array.from(plain.data)).toEqual(Array.from(exact, (v) => Math.fround(v)));
    expect(plain.data.some((v, i) => v !== exact[i])).toBe(true);
  });

  it('keep each addition’s rounding (TwoSum)', async () => {
    // Rows (u, v, −u) with |v| ≪ |u|, times ones: f32 loses v in u + v, the exact sum is v.
    const rows = 20;
    const u = gaussian(rows, 1, 7).data;
    const v = gaussian(rows, 1, 8).data;
    const a = new Float32Array(rows * 3);
    for (let i = 0; i < rows; i++) a.set([u[i]!, Math.fround(v[i]! * 2 ** -30), -u[i]!], i * 3);
    const ones: Mat = { rows: 3, cols: 1, data: new Float64Array(3).fill(1) };
    const exact = Array.from({ length: rows }, (_, i) => a[i * 3 + 1]!);
    const [plain, compensated] = await both(a, rows, 3, (g) => g.times(ones));
    expect(Array.from(compensated.data)).toEqual(exact);
    expect(relativeError(plain.data, exact)).toBeGreaterThan(0.5);
  });

  it('keep a float64 matrix’s rounding to f32 (a second set of blocks)', async () => {
    const a = gaussian(24, 64, 9);
    const eye = zerosLike(64, 8);
    for (let i = 0; i < 8; i++) eye.data[i * 8 + i] = 1;
    const exact = columnsOf(a, 8);
    const [plain, compensated] = await both(a.data, 24, 64, (g) => g.times(eye));
    expect(relativeError(compensated.data, exact)).toBeLessThan(1e-13);
    expect(relativeError(plain.data, exact)).toBeGreaterThan(1e-9);
  });

  it('give aᵀ·Q’s tail columns to their own scale where f32 sums lose ε·σ₁/σᵢ', async () => {
    // a = U·diag(σ)·Vᵀ with σ from 1 down to 1e-4; Q = its left singular vectors (float64), so
    // column i of aᵀ·Q is σᵢ·vᵢ: sums that cancel from ≈ σ₁ down to σᵢ (exact-svd.ts's W).
    const [m, n] = [24, 64];
    const basis = exactSvd(gaussian(m, n, 10));
    const sigma = Array.from({ length: m }, (_, i) => 10 ** ((-4 * i) / (m - 1)));
    const scaled = { ...basis, s: Float64Array.from(sigma) };
    const a = f32(reconstruct(scaled));
    const q = exactSvd(a).u;
    const exact = matmulTN(a, q);
    const [plain, compensated] = await both(a.data, m, n, (g) => g.transposeTimes(q, true));
    const worst = (w: Mat) => Math.max(...columnErrors(w, exact));
    console.log(
      `aᵀ·Q worst column: plain ${worst(plain).toExponential(2)}, compensated ${worst(compensated).toExponential(2)}`,
    );
    expect(worst(compensated)).toBeLessThan(1e-9);
    expect(worst(plain)).toBeGreaterThan(1e-5);
  });
});

const zerosLike = (rows: number, cols: number): Mat => ({
  rows,
  cols,
  data: new Float64Array(rows * cols),
});

/** The first k columns of a, row-major. */
function columnsOf(a: Mat, k: number): Float64Array {
  return Float64Array.from(
    { length: a.rows * k },
    (_, i) => a.data[Math.floor(i / k) * a.cols + (i % k)]!,
  );
}

/** Each column's max-abs error relative to that column of `exact`. */
function columnErrors(w: Mat, exact: Mat): number[] {
  return Array.from({ length: exact.cols }, (_, j) => {
    const col = (x: Mat) => Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + j]!);
    return relativeError(col(w), col(exact));
  });
}

describe('topSvdWith the device products', () => {
  it('gives the CPU range finder’s top 8 triplets of the fixture matrix', async () => {
    const fixture = readFixture('./svd_merges.safetensors');
    const t = fixture.get('svd.decaying');
    const a: Mat<Float32Array> = {
      rows: t.shape[0]!,
      cols: t.shape[1]!,
      data: fixture.f32('svd.decaying'),
    };
    const options = { exactMaxRank: 0 };
    const cpu = topSvd(a, 8, options);
    const onGpu = await topSvdWith(
      a,
      8,
      () => new GpuMatrix(gpu.runtime, a.data, a.rows, a.cols),
      options,
    );
    expect(relativeError(onGpu.s, cpu.s)).toBeLessThan(1e-5);
    expect(relativeError(reconstruct(onGpu).data, reconstruct(cpu).data)).toBeLessThan(1e-5);
  });
});
