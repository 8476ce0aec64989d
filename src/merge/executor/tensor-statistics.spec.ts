import { describe, expect, it } from 'vitest';
import { magnitudeBand } from '../cpu/select';
import { bandRanks, densityForRank, statisticsNeeded } from './tensor-statistics';
import type { JobTemplate } from '../planning/types';

/** Deterministic pseudo-random integers (xorshift), so a failure reproduces. */
function integers(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('tensor statistics helpers', () => {
  it('densityForRank(k, n) gives floor(density·n) = k exactly, up to n = 2^40', () => {
    const rnd = integers(7);
    for (let t = 0; t < 20000; t++) {
      const n = 1 + Math.floor(rnd() * 2 ** (1 + Math.floor(rnd() * 40)));
      const k = Math.floor(rnd() * (n + 1));
      expect(Math.floor(densityForRank(k, n) * n), `k ${k} n ${n}`).toBe(k);
    }
    for (const n of [1, 2, 3, 1023, 2 ** 20 + 7])
      for (const k of [0, 1, n - 1, n]) expect(Math.floor(densityForRank(k, n) * n)).toBe(k);
  });

  it('bandRanks select the same band as the CPU reference (magnitudeBand) on sorted data', () => {
    const rnd = integers(3);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rnd() * 60);
      const values = Float32Array.from({ length: n }, () => Math.fround(rnd() * 2 - 1));
      const desc = Array.from(values, Math.abs).sort((a, b) => b - a);
      const density = [0, 0.01, 0.3, 0.5, 0.99, 1][Math.floor(rnd() * 6)]!;
      const gamma = [0, 0.05, 0.2, 0.7][Math.floor(rnd() * 4)]!;
      const ranks = bandRanks(n, density, gamma);
      const keep = Math.floor(density * n);
      let nTop = Math.floor(gamma * n);
      if (n - keep - nTop < 0) nTop += n - keep - nTop;
      const reference =
        density >= 1 && gamma <= 0 ? 'all' : magnitudeBand(values, 0, n, nTop, keep);
      if (reference === 'all') expect(ranks).toBe('all');
      else if (reference === null) expect(ranks).toBe('none');
      else {
        if (typeof ranks === 'string') throw new Error(`expected ranks, got ${ranks}`);
        expect(desc[ranks.lo - 1]).toBe(reference.lo);
        expect(ranks.hi === undefined ? desc[0] : desc[ranks.hi - 1]).toBe(reference.hi);
      }
    }
  });

  it('only task-arithmetic jobs whose keep rule needs the whole tensor ask for statistics', () => {
    const ta = (over: Partial<JobTemplate & { kind: 'task_arithmetic' }>) =>
      ({
        kind: 'task_arithmetic',
        sparsifier: 'none',
        rescale: 'none',
        rowWise: false,
        ...over,
      }) as JobTemplate;
    expect(statisticsNeeded(ta({}), false)).toBeUndefined();
    // mergekit's exactly-k trims: a read may place the tie cuts.
    for (const sparsifier of ['magnitude', 'magnitude_outliers'] as const) {
      expect(statisticsNeeded(ta({ sparsifier }), false)).toEqual({
        bands: true,
        l1: false,
        tieCut: true,
      });
    }
    expect(statisticsNeeded(ta({ sparsifier: 'magnitude' }), true)).toBeUndefined();
    expect(statisticsNeeded(ta({ sparsifier: 'magnitude', rescale: 'l1' }), true)).toEqual({
      bands: false,
      l1: true,
    });
    expect(statisticsNeeded(ta({ sparsifier: 'random', rescale: 'l1' }), false)).toEqual({
      bands: false,
      l1: true,
    });
    expect(
      statisticsNeeded(ta({ sparsifier: 'random', rescale: 'inverse_density' }), false),
    ).toBeUndefined();
    expect(
      statisticsNeeded(ta({ sparsifier: 'magnitude_outliers', rowWise: true }), false),
    ).toBeUndefined();
    // Per-row selections come with their chunk of whole rows; only l1 needs the tensor.
    expect(statisticsNeeded(ta({ sparsifier: 'della_magprune', rescale: 'l1' }), false)).toEqual({
      bands: false,
      l1: true,
    });
    expect(
      statisticsNeeded(ta({ sparsifier: 'magnitude', rowWise: true, rescale: 'l1' }), false),
    ).toEqual({ bands: false, l1: true });
    expect(
      statisticsNeeded(ta({ sparsifier: 'della_magprune', rescale: 'inverse_density' }), false),
    ).toBeUndefined();
  });
});
