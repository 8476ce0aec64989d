import { describe, expect, it } from 'vitest';
import type { MagnitudeSelector } from './backend';
import { CpuMagnitudeSelector } from './cpu/magnitude-selector';
import { parallelSelector, type SelectorShare } from './parallel-selector';
import { f32Raw } from './testing';

/** A share on this thread: the same CpuMagnitudeSelector methods the worker calls. */
function localShare(sel: CpuMagnitudeSelector): SelectorShare {
  return {
    addAll: (b, m) => sel.addAll(b, m),
    add: (m, b, t) => sel.add(m, b, t),
    takeHistograms: () => Promise.resolve(sel.takeHistograms()),
    settle: (highs) => Promise.resolve(sel.settleShare(highs)),
    decide: (t) => Promise.resolve(sel.decide(t)),
    drop: () => Promise.resolve(),
  };
}

/** Seeded values with many exact ties (few distinct magnitudes) and zeros. */
function values(n: number, seed: number, levels: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    return (Math.floor(u * levels) - levels / 2) / 8;
  });
}

async function run(
  sel: MagnitudeSelector,
  base: number[][],
  tuned: number[][][],
): Promise<{ thresholds: number[]; passes: number }> {
  let passes = 0;
  let more: boolean;
  do {
    passes++;
    for (let t = 0; t < base.length; t++) {
      await sel.addAll!(
        f32Raw(base[t]!),
        tuned.map((m) => f32Raw(m[t]!)),
      );
    }
    await sel.closePass?.();
    more = sel.needsAnotherPass();
  } while (more);
  return { thresholds: sel.thresholds(), passes };
}

/** The k-th largest f32 |tuned − base| of each model over all tensors (a full sort). */
function sortedThresholds(base: number[][], tuned: number[][][], densities: number[]): number[] {
  return tuned.map((model, m) => {
    const mags = model
      .flatMap((t, i) =>
        t.map((v, j) => Math.abs(Math.fround(Math.fround(v) - Math.fround(base[i]![j]!)))),
      )
      .sort((a, b) => b - a);
    const k = Math.floor(densities[m]! * mags.length);
    return k <= 0 ? Infinity : k >= mags.length ? 0 : mags[k - 1]!;
  });
}

describe('model-scope selection split across shares', () => {
  // Tensor sizes with remainders, one model skewed so that its large |δ| sit in the first
  // share's range only (the shares' bands then narrow around different bins).
  const sizes = [1, 7, 1023, 300, 4097];
  const base = sizes.map((n, t) => values(n, 10 + t, 64));
  const tuned = [0, 1, 2].map((m) =>
    sizes.map((n, t) =>
      values(n, 100 * m + t, m === 2 ? 1024 : 16).map((v, i) =>
        m === 2 && i < n / 3 ? base[t]![i]! + 40 * v : base[t]![i]! + v,
      ),
    ),
  );
  const densities = [0.2, 0.5, 0.05];
  const expected = sortedThresholds(base, tuned, densities);

  for (const shares of [1, 2, 3])
    // 16000 (two shares): model 2 settles in one read, 0 and 1 need the second; 12000: one
    // share's band covers model 2's bin and the other's does not. 96: no band holds out.
    for (const candidateBytes of [undefined, 16000, 12000, 96, 0])
      it(`${shares} share(s), candidate bytes ${candidateBytes ?? 'default'}: thresholds of a full sort and of one selector`, async () => {
        const total = sizes.reduce((a, b) => a + b, 0);
        const single = await run(
          new CpuMagnitudeSelector(densities, total, candidateBytes),
          base,
          tuned,
        );
        const perShare =
          candidateBytes === undefined ? undefined : Math.floor(candidateBytes / shares);
        let splits = 0;
        const parallel = await run(
          parallelSelector(
            densities,
            total,
            Array.from({ length: shares }, () =>
              localShare(new CpuMagnitudeSelector(densities, total, perShare)),
            ),
            { minSplitElements: 2, onSplit: () => splits++ },
          ),
          base,
          tuned,
        );
        expect(parallel.thresholds).toEqual(expected);
        expect(single.thresholds).toEqual(expected);
        if (shares > 1) expect(splits).toBeGreaterThan(0);
        // No bands: always the second read; default bands: settled in one read.
        if (candidateBytes === 0) expect(parallel.passes).toBe(2);
        if (candidateBytes === undefined) expect(parallel.passes).toBe(1);
      });

  it('densities 0 and 1 are decided without counting (keep nothing / keep all)', async () => {
    const total = sizes.reduce((a, b) => a + b, 0);
    const shares = [0, 1].map(() => localShare(new CpuMagnitudeSelector([0, 1], total)));
    const r = await run(parallelSelector([0, 1], total, shares, { minSplitElements: 1 }), base, [
      tuned[0]!,
      tuned[1]!,
    ]);
    expect(r.thresholds).toEqual([Infinity, 0]);
  });
});
