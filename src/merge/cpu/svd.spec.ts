import { describe, expect, it } from 'vitest';
import { readFixture, relativeError } from '../testing-read-fixture';
import { matmulTN, type Mat } from './dense';
import { gaussian } from './dense';
import { exactSvd, gramSvd, librarySvd, polarFactor, reconstruct, topSvd } from './svd';

const fixture = readFixture('./svd_merges.safetensors');
const matrix = (name: string): Mat<Float32Array> => {
  const t = fixture.get(name);
  return { rows: t.shape[0]!, cols: t.shape[1]!, data: fixture.f32(name) };
};
const svdValues = (name: string) => fixture.get(name).values as Float64Array;

/** max |QᵀQ − I|. */
function orthogonalityError(q: Mat): number {
  const g = matmulTN(q, q);
  let err = 0;
  for (let i = 0; i < g.rows; i++)
    for (let j = 0; j < g.cols; j++)
      err = Math.max(err, Math.abs(g.data[i * g.cols + j]! - (i === j ? 1 : 0)));
  return err;
}

describe('exactSvd (ml-matrix) against numpy float64', () => {
  it('singular values and reconstruction of a flat random 40 × 64 matrix', () => {
    const a = matrix('svd.flat');
    const svd = exactSvd(a);
    const ref = svdValues('svd.flat_s');
    expect(svd.s.length).toBe(40);
    expect(relativeError(svd.s, ref)).toBeLessThan(1e-10);
    expect(relativeError(reconstruct(svd).data, a.data)).toBeLessThan(1e-10);
    expect(orthogonalityError(svd.u)).toBeLessThan(1e-10);
    expect(orthogonalityError(svd.v)).toBeLessThan(1e-10);
  });

  it('a wide and a tall matrix give the same spectrum (autoTranspose)', () => {
    const a = matrix('svd.flat');
    const t: Mat = { rows: a.cols, cols: a.rows, data: new Float64Array(a.data.length) };
    for (let i = 0; i < a.rows; i++)
      for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]!;
    expect(relativeError(exactSvd(t).s, svdValues('svd.flat_s'))).toBeLessThan(1e-10);
  });
});

describe('topSvd: randomised range finder (forced with exactMaxRank 0)', () => {
  it('the top 8 of a decaying 96 × 160 spectrum to ≤ 1e-4 relative, reconstruction too', () => {
    const a = matrix('svd.decaying');
    const ref = svdValues('svd.decaying_s');
    const k = 8;
    const svd = topSvd(a, k, { exactMaxRank: 0 });
    expect(svd.s.length).toBe(k);
    for (let i = 0; i < k; i++) expect(Math.abs(svd.s[i]! - ref[i]!) / ref[i]!).toBeLessThan(1e-4);
    // The rank-k truncation error is σ_{k+1}; the randomised one must be as good.
    const exact = reconstruct(exactSvd(a, k)).data;
    expect(relativeError(reconstruct(svd).data, exact)).toBeLessThan(1e-4);
    expect(orthogonalityError(svd.u)).toBeLessThan(1e-10);
  });

  it('is exact for small matrices and clamps k to the rank', () => {
    const a = matrix('svd.flat');
    const svd = topSvd(a, 100);
    expect(svd.s.length).toBe(40);
    expect(relativeError(svd.s, svdValues('svd.flat_s'))).toBeLessThan(1e-10);
    expect(topSvd(a, 0).s.length).toBe(0);
  });
});

describe('polarFactor', () => {
  it('has orthonormal columns and is the identity on an orthonormal matrix', () => {
    const a = matrix('svd.decaying');
    const t: Mat = { rows: a.cols, cols: a.rows, data: new Float64Array(a.data.length) };
    for (let i = 0; i < a.rows; i++)
      for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]!;
    const w = polarFactor(exactSvd(t).u);
    expect(orthogonalityError(w)).toBeLessThan(1e-10);
    const q = exactSvd(t).u;
    expect(relativeError(polarFactor(q).data, q.data)).toBeLessThan(1e-10);
  });
});

describe('gramSvd (matrices whose short side passes GRAM_MIN_RANK) against ml-matrix’s SVD', () => {
  for (const [m, n] of [
    [120, 300],
    [300, 120],
  ] as const) {
    it(`${m} × ${n}: singular values, leading reconstruction, orthonormal vectors`, () => {
      const a = gaussian(m, n, m + n);
      const k = 40;
      const gram = gramSvd(a, k);
      const lib = librarySvd(a, k);
      expect(relativeError(gram.s, lib.s)).toBeLessThan(1e-12);
      expect(relativeError(reconstruct(gram).data, reconstruct(lib).data)).toBeLessThan(1e-10);
      expect(orthogonalityError(gram.u)).toBeLessThan(1e-10);
      expect(orthogonalityError(gram.v)).toBeLessThan(1e-10);
    });
  }

  it('polarFactor through aᵀa equals U·Vᵀ of the SVD (300 × 280)', () => {
    const a = gaussian(300, 280, 5);
    const viaGram = polarFactor(a);
    const { u, v } = librarySvd(a);
    const viaSvd = reconstruct({ u, s: new Float64Array(u.cols).fill(1), v });
    expect(relativeError(viaGram.data, viaSvd.data)).toBeLessThan(1e-9);
    expect(orthogonalityError(viaGram)).toBeLessThan(1e-10);
  });
});
