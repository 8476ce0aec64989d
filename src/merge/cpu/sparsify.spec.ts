import { describe, expect, it, onTestFinished } from 'vitest';
import { sparsify, type SparsifyOptions } from './sparsify';
import { setWasmKernelsEnabled } from './wasm/kernels';
import { elementUniform, nameHash, streamKey } from '../random';

function opts(o: Partial<SparsifyOptions>): SparsifyOptions {
  return {
    sparsifier: 'magnitude_outliers',
    density: 1,
    gamma: 0,
    epsilon: 0,
    rescale: 'none',
    rowWise: false,
    rowLen: 1,
    seed: 1,
    modelIndex: 0,
    tensorName: 't',
    ...o,
  };
}
/** Kept |values| sorted ascending, for band checks. */
const keptSet = (a: Float32Array) =>
  Array.from(a)
    .filter((x) => x !== 0)
    .map(Math.abs)
    .sort((x, y) => x - y);

describe('breadcrumbs (magnitude_outliers) band edges', () => {
  // |δ| = 1..10 in shuffled order with mixed signs.
  const d = Float32Array.from([3, -10, 7, 1, -5, 9, -2, 8, 4, -6]);

  it('γ 0.1, density 0.5: n_top = 1, n_bot = 10 - 5 - 1 = 4 → keep 5..9', () => {
    expect(keptSet(sparsify(d, opts({ gamma: 0.1, density: 0.5 })))).toEqual([5, 6, 7, 8, 9]);
  });
  it('n_top = 0 keeps the top band (no [n_bot:-0] bug): γ 0, density 0.5 → keep 6..10', () => {
    expect(keptSet(sparsify(d, opts({ gamma: 0, density: 0.5 })))).toEqual([6, 7, 8, 9, 10]);
    // γ 0.05 → n_top = floor(0.5) = 0 as well.
    expect(keptSet(sparsify(d, opts({ gamma: 0.05, density: 0.5 })))).toEqual([6, 7, 8, 9, 10]);
  });
  it('n_bot < 0 moves the deficit to n_top: γ 0.3, density 0.9 → n_top 3-2 = 1 → keep 1..9', () => {
    expect(keptSet(sparsify(d, opts({ gamma: 0.3, density: 0.9 })))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });
  it('γ 0.2, density 0.3: n_top 2, n_bot 5 → keep 6, 7, 8 (signs preserved)', () => {
    const out = sparsify(d, opts({ gamma: 0.2, density: 0.3 }));
    expect(Array.from(out)).toEqual([0, 0, 7, 0, 0, 0, 0, 8, 0, -6]);
  });
  it('per tensor, exactly the slice of a stable ascending sort; per row, edge ties are kept', () => {
    // |δ| sorted desc 5,5,5,4,3,3,2,1; γ 1/8 → n_top 1; density .5 → keep 4, n_bot 3.
    // hi = 5, lo = 3. Ascending stable: 1(7) 2(6) 3(4) 3(5) 4(3) 5(0) 5(1) 5(2); mergekit's
    // slice [3, 7) keeps indices 5, 3, 0, 1: lo's first tie (index 4) and hi's last (2) go.
    const t = Float32Array.from([5, -5, 5, 4, 3, -3, 2, 1]);
    const whole = sparsify(t, opts({ gamma: 0.125, density: 0.5 }));
    expect(Array.from(whole)).toEqual([5, -5, 0, 4, 0, -3, 0, 0]);
    // The papers' row-wise band keeps every tie with an edge: 3 ≤ |δ| ≤ 5, six elements.
    const row = sparsify(t, opts({ gamma: 0.125, density: 0.5, rowWise: true, rowLen: 8 }));
    expect(keptSet(row)).toEqual([3, 3, 4, 5, 5, 5]);
  });
  it('per tensor: when lo = hi both edges cut the same ties', () => {
    // All |δ| 2 except one 9: γ 0.2 (n_top 2), density 0.4 (keep 4) of 10 → descending ranks
    // 3…6, all 2s. Ascending stable: the nine 2s in index order, then the 9; slice [4, 8).
    const t = Float32Array.from([2, -2, 2, 9, 2, 2, -2, 2, 2, 2]);
    const out = sparsify(t, opts({ gamma: 0.2, density: 0.4 }));
    // Ties in index order 0,1,2,4,5,6,7,8,9: ordinals 4…7 (0-based) are indices 5, 6, 7, 8.
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 2, -2, 2, 2, 0]);
  });
  it('row-wise vs per-tensor', () => {
    // rows [1,2,3,4] and [40,30,20,10], γ .25, density .5.
    // per row: n_top 1, n_bot 1 → [2,3] and [30,20].
    // per tensor (N 8): n_top 2, n_bot 2 → desc 40,30,20,10,4,3,2,1 → keep 20,10,4,3.
    const t = Float32Array.from([1, 2, 3, 4, 40, 30, 20, 10]);
    const rows = sparsify(t, opts({ gamma: 0.25, density: 0.5, rowWise: true, rowLen: 4 }));
    expect(Array.from(rows)).toEqual([0, 2, 3, 0, 0, 30, 20, 0]);
    const whole = sparsify(t, opts({ gamma: 0.25, density: 0.5, rowLen: 4 }));
    expect(Array.from(whole)).toEqual([0, 0, 3, 4, 0, 0, 20, 10]);
  });
  it('magnitude sparsifier row-wise keeps the top k of each row', () => {
    const t = Float32Array.from([1, 2, 3, 4, 40, 30, 20, 10]);
    const rows = sparsify(
      t,
      opts({ sparsifier: 'magnitude', density: 0.5, rowWise: true, rowLen: 4 }),
    );
    expect(Array.from(rows)).toEqual([0, 0, 3, 4, 40, 30, 0, 0]);
  });
});

describe('DARE (random) sparsifier', () => {
  const n = 100_000;
  const ones = new Float32Array(n).fill(1);

  it('keeps ~density of the elements, reproducibly per (seed, model, tensor)', () => {
    const out = sparsify(ones, opts({ sparsifier: 'random', density: 0.3 }));
    const kept = out.filter((x) => x !== 0).length;
    // σ = sqrt(.3·.7/1e5) ≈ 0.00145; allow 4σ.
    expect(Math.abs(kept / n - 0.3)).toBeLessThan(0.006);
    expect(Array.from(sparsify(ones, opts({ sparsifier: 'random', density: 0.3 })))).toEqual(
      Array.from(out),
    );
    const other = sparsify(ones, opts({ sparsifier: 'random', density: 0.3, modelIndex: 1 }));
    let differ = 0;
    for (let i = 0; i < n; i++) if ((other[i] !== 0) !== (out[i] !== 0)) differ++;
    // Independent masks differ on 2·.3·.7 = 42 % of the elements.
    expect(differ / n).toBeGreaterThan(0.38);
  });

  it('inverse_density divides kept entries by density', () => {
    const out = sparsify(
      ones,
      opts({ sparsifier: 'random', density: 0.25, rescale: 'inverse_density' }),
    );
    const kept = Array.from(out).filter((x) => x !== 0);
    expect(new Set(kept)).toEqual(new Set([4]));
  });

  it('l1 rescale restores the L1 norm; skipped when nothing is kept', () => {
    const out = sparsify(ones, opts({ sparsifier: 'random', density: 0.25, rescale: 'l1' }));
    const kept = Array.from(out).filter((x) => x !== 0);
    // every kept entry = ‖δ‖₁/‖kept‖₁ = n / K, so the sum is n again.
    expect(kept[0]).toBeCloseTo(n / kept.length, 3);
    expect(kept.reduce((a, b) => a + b, 0)).toBeCloseTo(n, 0);
    const none = sparsify(ones, opts({ sparsifier: 'random', density: 0, rescale: 'l1' }));
    expect(none.every((x) => x === 0)).toBe(true);
    // tiny tensors (‖δ‖₁ < 1e-7) are not rescaled.
    const tiny = sparsify(
      Float32Array.from([1e-9, 1e-9]),
      opts({ sparsifier: 'magnitude', density: 0.5, rescale: 'l1' }),
    );
    // k = 1 of two tied entries: the first (index order), unscaled.
    expect(Array.from(tiny)).toEqual([Math.fround(1e-9), 0]);
  });
});

describe('DELLA magprune', () => {
  const n = 20_000;
  // |δ| = 1..n, all distinct → rank(i) = i, r = i/(n-1).
  const d = Float32Array.from({ length: n }, (_, i) => (i % 2 ? -(i + 1) : i + 1));

  it('keep probability rises linearly with rank: p = (0.5-0.2) + 0.4·r', () => {
    const out = sparsify(
      d,
      opts({ sparsifier: 'della_magprune', density: 0.5, epsilon: 0.2, rowLen: n }),
    );
    // quartile means of p: r̄ = .125, .375, .625, .875 → p̄ = .35, .45, .55, .65; σ ≈ .007.
    const expected = [0.35, 0.45, 0.55, 0.65];
    for (let q = 0; q < 4; q++) {
      let kept = 0;
      for (let i = (q * n) / 4; i < ((q + 1) * n) / 4; i++) if (out[i] !== 0) kept++;
      expect(Math.abs(kept / (n / 4) - (expected[q] as number))).toBeLessThan(0.03);
    }
  });

  it('inverse_density divides by each element’s own p', () => {
    const out = sparsify(
      d,
      opts({
        sparsifier: 'della_magprune',
        density: 0.5,
        epsilon: 0.2,
        rowLen: n,
        rescale: 'inverse_density',
      }),
    );
    for (const i of [0, 1, 2, 3, n - 2, n - 1]) {
      const p = 0.3 + 0.4 * (i / (n - 1));
      if (out[i] !== 0) expect(out[i]).toBeCloseTo((d[i] as number) / p, 2);
    }
  });

  it('tied magnitudes share the lowest rank', () => {
    // first half all |δ| = 1 → rank 0 → p = 0.3 (spread ranks would give ≈ 0.4).
    const t = Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : i + 2));
    const out = sparsify(
      t,
      opts({ sparsifier: 'della_magprune', density: 0.5, epsilon: 0.2, rowLen: n }),
    );
    let kept = 0;
    for (let i = 0; i < n / 2; i++) if (out[i] !== 0) kept++;
    expect(Math.abs(kept / (n / 2) - 0.3)).toBeLessThan(0.02);
  });

  // Quantised magnitudes (many ties; the radix passes of their all-zero low bytes are skipped),
  // full-precision ones spanning exponents (every radix pass runs) and ones differing only in
  // their low byte, each with signed zeros and one NaN per row.
  for (const [label, magnitude] of [
    ['quantised', (u: number) => Math.round(u * 20)],
    ['full precision', (u: number) => u ** 8 * 3e3],
    // Differing only in the lowest mantissa bits: the first radix pass decides their order.
    ['low bits', (u: number) => 1 + Math.floor(u * 200) * 2 ** -23],
  ] as const)
    for (const simd of [true, false])
      it(`ranks = count of strictly smaller |δ| in each row (${label}; ties, ±0, NaN; ${simd ? 'SIMD module' : 'TypeScript'}), exact p per element`, () => {
        setWasmKernelsEnabled(simd);
        onTestFinished(() => setWasmKernelsEnabled(true));
        // Three rows of 257.
        const rowLen = 257;
        let s = 9;
        const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const v = Float32Array.from({ length: 3 * rowLen }, (_, i) =>
          i % 97 === 5
            ? NaN
            : i % 31 === 0
              ? i % 2
                ? -0
                : 0
              : (rnd() < 0.5 ? -1 : 1) * magnitude(rnd()),
        );
        const out = sparsify(
          v,
          opts({
            sparsifier: 'della_magprune',
            density: 0.5,
            epsilon: 0.2,
            rowLen,
            rescale: 'inverse_density',
          }),
        );
        // Every element: kept iff its uniform is below its p, then divided by p.
        const key = streamKey(1, 0, nameHash('t'));
        let kept = 0;
        for (let row = 0; row < 3; row++) {
          const mags = Array.from(v.subarray(row * rowLen, (row + 1) * rowLen), Math.abs);
          for (let j = 0; j < rowLen; j++) {
            const i = row * rowLen + j;
            // Independent rank: a plain count (a NaN compares false, so it is never smaller;
            // its own rank is 0).
            const rank = Number.isNaN(mags[j]) ? 0 : mags.filter((m) => m < mags[j]!).length;
            const p = 0.3 + 0.4 * (rank / (rowLen - 1));
            if (!(elementUniform(key, i) < p)) expect(out[i]).toBe(0);
            else if (Number.isNaN(v[i])) expect(out[i]).toBeNaN();
            else expect(out[i]).toBe(Math.fround(v[i]! / p));
            if (elementUniform(key, i) < p) kept++;
          }
        }
        expect(kept).toBeGreaterThan(200);
      });

  it('validates 0 < density ± ε < 1, and density 1 keeps everything', () => {
    expect(() =>
      sparsify(d, opts({ sparsifier: 'della_magprune', density: 0.1, epsilon: 0.15, rowLen: n })),
    ).toThrow(/della/);
    expect(() =>
      sparsify(d, opts({ sparsifier: 'della_magprune', density: 0.9, epsilon: 0.15, rowLen: n })),
    ).toThrow(/della/);
    expect(
      Array.from(
        sparsify(
          d,
          opts({
            sparsifier: 'della_magprune',
            density: 1,
            epsilon: 0.15,
            rowLen: n,
            rescale: 'inverse_density',
          }),
        ),
      ),
    ).toEqual(Array.from(d));
  });
});
