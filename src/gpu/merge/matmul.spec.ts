/**
 * The SVD merges' device products against the CPU reference (dense.ts, float64) on the same
 * inputs: a·x and aᵀ·y with the matrix split into several row blocks, and the randomised top-k
 * SVD with its products on the device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussian, matmul, matmulNT, matmulTN, type Mat } from '../../merge';
import { reconstruct, topSvd, topSvdWith } from '../../merge';
import { readFixture, relativeError } from '../../merge/testing-read-fixture';
import { requireNodeGpu } from '../testing/node-test-gpu';
import {
  compensatedFailures,
  compensatedReport,
  type CompensatedReport,
} from '../testing/compensated-cases';
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

describe('GpuMatrix compensated products (matmul.wgsl COMPENSATED)', () => {
  // Each case is one the plain kernel gets wrong (testing/compensated-cases.ts).
  let report: CompensatedReport;
  beforeAll(async () => {
    report = await compensatedReport(gpu.runtime);
    console.log(`compensated vs plain: ${JSON.stringify(report)}`);
  });
  const holds = (name: keyof CompensatedReport) =>
    expect(compensatedFailures(report).includes(name)).toBe(false);

  it('keep each product’s rounding (TwoProduct)', () => holds('twoProduct'));
  it('keep each addition’s rounding (TwoSum)', () => holds('twoSum'));
  it('keep a float64 matrix’s rounding to f32 (a second set of blocks)', () =>
    holds('float64Operand'));
  it('give aᵀ·Q’s tail columns to their own scale where f32 sums lose ε·σ₁/σᵢ', () =>
    holds('tailColumns'));
});

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
