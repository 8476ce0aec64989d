/**
 * A model-scope magnitude selection split across threads. Each share (a CpuMagnitudeSelector
 * in a worker) sees a range of every tensor's elements; histogram counts add up, so the
 * coordinator sums the shares' counts and closes each pass exactly as one selector would
 * (radix-threshold.ts): the thresholds are the same as a single thread's, ties included.
 *
 * Candidate bands (radix-candidates.ts) stay per share: a model settles in one read only when
 * every share's band covers the threshold's high bin (each band then holds all of its share's
 * elements of that bin); otherwise the shares run the ordinary second pass for that model.
 */
import type { MagnitudeSelector, RawTensor } from './backend';
import {
  addHistogramPart,
  closeLowPass,
  closeRadixPass,
  decidedThresholds,
  newRadixStates,
  releaseRadixStates,
  type HistogramPart,
} from './radix-threshold';
import { rawNumel, rawRange, splitRanges } from './split-job';

/** One thread's share of the selection (the worker protocol's share ops). */
export interface SelectorShare {
  addAll(base: RawTensor, models: RawTensor[]): Promise<void>;
  add(model: number, base: RawTensor, tuned: RawTensor): Promise<void>;
  /** The share's counts of the pass so far, moved out (CpuMagnitudeSelector.takeHistograms). */
  takeHistograms(): Promise<HistogramPart[]>;
  /** Pass 1 closed: per model the band's low-16 counts in `highs[m]`, or null (settleShare). */
  settle(highs: number[]): Promise<(HistogramPart | null)[]>;
  decide(thresholds: (number | undefined)[]): Promise<void>;
  /** The selection is over: free the share. */
  drop(): Promise<void>;
}

function sumInto(target: Float64Array, parts: HistogramPart[]): void {
  for (const part of parts) addHistogramPart(target, part);
}

export function parallelSelector(
  densities: number[],
  totalElements: number,
  shares: SelectorShare[],
  options: {
    /** Tensors (chunks) shorter than this go to one share whole. */
    minSplitElements: number;
    onSplit?: () => void;
  },
): MagnitudeSelector {
  const models = newRadixStates(densities, totalElements);
  let pass = 1;
  let next = 0;
  let answer: boolean | undefined;
  const undecided = () => models.flatMap((s, m) => (s.threshold === undefined ? [m] : []));
  const gather = async () => {
    const counts = await Promise.all(shares.map((s) => s.takeHistograms()));
    for (const m of undecided())
      sumInto(
        models[m]!.hist,
        counts.map((c) => c[m]!),
      );
  };
  return {
    async addAll(base, tuned) {
      const ranges = splitRanges(rawNumel(base), shares.length, 1, options.minSplitElements);
      if (ranges.length === 1) {
        await shares[next++ % shares.length]!.addAll(base, tuned);
        return;
      }
      options.onSplit?.();
      await Promise.all(
        ranges.map(([b, e], i) =>
          shares[i]!.addAll(
            rawRange(base, b, e),
            tuned.map((t) => rawRange(t, b, e)),
          ),
        ),
      );
    },
    async add(model, base, tuned) {
      await shares[next++ % shares.length]!.add(model, base, tuned);
    },
    async closePass() {
      await gather();
      const finish = async () => {
        answer = false;
        await Promise.all(shares.map((s) => s.drop()));
        // Only the thresholds are read from here on.
        releaseRadixStates(models);
      };
      if (pass++ !== 1) {
        closeRadixPass(models, 2);
        return finish();
      }
      if (!closeRadixPass(models, 1)) return finish();
      const highs = models.map((s) => (s.threshold === undefined ? s.high : -1));
      const lows = await Promise.all(shares.map((s) => s.settle(highs)));
      for (const m of undecided()) {
        const parts = lows.map((l) => l[m]);
        if (parts.every((p): p is HistogramPart => p !== null && p !== undefined)) {
          sumInto(models[m]!.hist, parts);
          closeLowPass(models[m]!);
        }
      }
      if (undecided().length === 0) return finish();
      const thresholds = models.map((s) => s.threshold);
      await Promise.all(shares.map((s) => s.decide(thresholds)));
      answer = true;
    },
    needsAnotherPass() {
      if (answer === undefined) {
        throw new Error('parallel selector: await closePass() before needsAnotherPass()');
      }
      const a = answer;
      answer = undefined;
      return a;
    },
    thresholds: () => decidedThresholds(models),
  };
}
