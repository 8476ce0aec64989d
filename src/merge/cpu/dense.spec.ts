import { describe, expect, it } from 'vitest';
import {
  gaussian,
  matmul,
  matmulNT,
  matmulTN,
  orthonormalizeColumns,
  transpose,
  type Mat,
} from './dense';

/** The textbook triple loop. */
function naive(a: Mat, b: Mat): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let p = 0; p < a.cols; p++) s += a.data[i * a.cols + p]! * b.data[p * b.cols + j]!;
      out.push(s);
    }
  return out;
}

const close = (got: Float64Array, want: number[]) =>
  expect(Array.from(got)).toEqual(want.map((v) => expect.closeTo(v, 12)));

describe('dense products (blocked loops, remainders included)', () => {
  for (const [m, k, n] of [
    [1, 1, 1],
    [5, 7, 3],
    [8, 4, 9],
    [11, 6, 2],
  ] as const) {
    it(`${m} × ${k} × ${n}`, () => {
      const a = gaussian(m, k, m * 100 + k);
      const b = gaussian(k, n, n * 7 + 1);
      const want = naive(a, b);
      close(matmul(a, b).data, want);
      close(matmulTN(transpose(a), b).data, want);
      close(matmulNT(a, transpose(b)).data, want);
    });
  }

  it('orthonormalizeColumns gives QᵀQ = I and zeros a dependent column', () => {
    const a = gaussian(9, 4, 3);
    for (let i = 0; i < 9; i++) a.data[i * 4 + 3] = 2 * a.data[i * 4]!; // column 3 = 2 · column 0
    const q = orthonormalizeColumns(a);
    const g = matmulTN(q, q);
    const eye = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    close(g.data, eye);
  });
});
