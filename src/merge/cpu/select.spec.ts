/**
 * The radix select of long ranges must give exactly what sorting gives (the reference
 * definition), ties, zeros of both signs, infinities and NaN included.
 */
import { describe, expect, it } from 'vitest';
import {
  countAboveAndTied,
  kthLargestMagnitude,
  kthLargestWithCounts,
  magnitudeBand,
  sortedMagnitudesDesc,
} from './select';

function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    // Quantised (many ties), tiny and huge magnitudes, signed zeros, ±∞ and a few NaN.
    out[i] =
      u < 0.001
        ? NaN
        : u < 0.002
          ? (u < 0.0015 ? 1 : -1) * Infinity
          : u < 0.05
            ? u < 0.03
              ? 0
              : -0
            : (r() < 0.5 ? -1 : 1) * Math.round(r() * 512) * 2 ** (Math.floor(r() * 40) - 30);
  }
  return out;
}

describe('kthLargestMagnitude (radix select)', () => {
  const v = values((1 << 16) + 1234, 7);
  const sorted = sortedMagnitudesDesc(v, 0, v.length);
  it('equals the sorted order at every probed rank, NaN counted as the largest', () => {
    for (const rank of [1, 2, 50, 100, 1000, 33_000, 60_000, 66_000, v.length]) {
      const got = kthLargestMagnitude(v, 0, v.length, rank);
      const want = sorted[rank - 1]!;
      if (Number.isNaN(want)) expect(got).toBeNaN();
      else expect(got).toBe(want);
    }
  });

  it('works on a sub-range (offsets into the buffer)', () => {
    const begin = 777;
    const end = v.length - 3;
    const sub = sortedMagnitudesDesc(v, begin, end);
    for (const rank of [200, 5000, 40_000]) {
      expect(kthLargestMagnitude(v, begin, end, rank)).toBe(sub[rank - 1]);
    }
  });

  it('magnitudeBand on a long range equals the sort-based band edges', () => {
    const finite = v.map((x) => (Number.isFinite(x) ? x : 0.5));
    const s = sortedMagnitudesDesc(finite, 0, finite.length);
    for (const [skipTop, keep] of [
      [0, 1000],
      [10, 30_000],
      [500, finite.length],
    ] as const) {
      const last = Math.min(skipTop + keep, finite.length) - 1;
      expect(magnitudeBand(finite, 0, finite.length, skipTop, keep)).toEqual({
        lo: s[last],
        hi: s[skipTop],
      });
    }
  });

  it('the counts above and tied from the histograms equal a scan; none when ±∞ / NaN are in range', () => {
    const finite = v.map((x) => (Number.isFinite(x) ? x : 0.5));
    for (const [begin, end] of [
      [0, finite.length],
      [777, finite.length - 3],
    ] as const) {
      for (const rank of [1, 64, 1000, 30_000, 60_000, end - begin]) {
        const { value, counts } = kthLargestWithCounts(finite, begin, end, rank);
        expect(counts, `rank ${rank}`).toEqual(countAboveAndTied(finite, begin, end, value));
        // The quantised values make most ranks ties: the counts bracket the rank.
        expect(counts!.above).toBeLessThan(rank);
        expect(counts!.above + counts!.tied).toBeGreaterThanOrEqual(rank);
      }
    }
    expect(kthLargestWithCounts(v, 0, v.length, 1000).counts).toBeUndefined();
  });
});
