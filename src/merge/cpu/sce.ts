/**
 * mergekit's SCE (merge_methods/sce.py): optional top-k of the elements by their variance
 * across models (select_topk < 1: k = int(nonzero·select_topk), largest first), TIES sign
 * mask (Σ ≥ 0 → +), weights mean(τₜ²)/Σ (uniform when Σ < 1e-6), weighted mean of the
 * entries that agree with the sign, + θ₀.
 *
 * Streamed (streamed-methods.ts). Without a top-k: one read for Σ τₜ², then the element-wise
 * combine. With one: the k-th largest variance is radix-selected over the chunks
 * (score-select.ts; the first read also counts the non-zero variances, which fix k), then one
 * read sums the kept entries' squares, keeping the variance's ties in element order as the
 * whole-tensor sort did (equal variances by index) and noting where the last kept tie is.
 */
import type { StreamedMethod } from './streamed-methods';
import { chunkOffset } from './streamed-methods';
import {
  addScores,
  closeDigit,
  initialStates,
  newHistograms,
  selected,
  SCORE_DIGITS,
} from './score-select';

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
const topk = (job: { global: Record<string, unknown> }) => num(job.global.select_topk, 1);

/** The pass summing the kept entries' squares (after the selection's digit passes). */
const SQUARES = SCORE_DIGITS;

/** Per element: the variance of the models' entries (population, as torch.var(unbiased=False)). */
function variances(taus: Float32Array[]): Float64Array {
  const out = new Float64Array(taus[0]!.length);
  for (let e = 0; e < out.length; e++) {
    let mean = 0;
    for (const tau of taus) mean += tau[e]!;
    mean /= taus.length;
    let v = 0;
    for (const tau of taus) v += (tau[e]! - mean) ** 2;
    out[e] = v / taus.length;
  }
  return out;
}

/** SCE's weights mean(τₜ²)/Σ from the sums of squares (uniform when the sum < 1e-6). */
function sceWeights(squares: number[], numel: number): number[] {
  const meanSquares = squares.map((s) => s / Math.max(numel, 1));
  const total = meanSquares.reduce((x, y) => x + y, 0);
  return Math.abs(total) < 1e-6
    ? squares.map(() => 1 / squares.length)
    : meanSquares.map((w) => w / total);
}

/** θ₀ + the weighted mean of the kept entries that agree with the TIES sign (Σ ≥ 0 → +). */
function sceCombine(
  base: Float32Array,
  taus: Float32Array[],
  weights: number[],
  kept: (e: number) => boolean,
) {
  const out = new Float32Array(base.length);
  for (let e = 0; e < out.length; e++) {
    const keep = kept(e);
    let sum = 0;
    for (const v of taus) sum += keep ? v[e]! : 0;
    const majority = sum >= 0 ? 1 : -1;
    let merged = 0;
    let divisor = 0;
    taus.forEach((v, m) => {
      if (keep && Math.sign(v[e]!) === majority) {
        merged += v[e]! * weights[m]!;
        divisor += weights[m]!;
      }
    });
    out[e] = base[e]! + merged / Math.max(divisor, 1e-6);
  }
  return out;
}

/** The selection's cut: keep variance > value, and = value before element tieEnd. */
const keeps =
  (value: number, tieEnd: number, variance: Float64Array, offset: number) => (e: number) =>
    variance[e]! > value || (variance[e] === value && offset + e < tieEnd);

export const sceMethod: StreamedMethod = {
  passes: (job) => (topk(job) >= 1 ? 1 : SCORE_DIGITS + 1),
  init(_job, pass, models) {
    if (pass === SQUARES || topk(_job) >= 1) return new Array<number>(models + 2).fill(0);
    // Digit pass 0 also counts the non-zero variances (its slot 0).
    return pass === 0 ? [0, ...newHistograms(1)] : newHistograms(1);
  },
  add(job, pass, { taus }, stats) {
    const acc = stats[pass]!;
    if (topk(job) >= 1) {
      taus.forEach((tau, m) => {
        let s = acc[m]!;
        for (let e = 0; e < tau.length; e++) s += tau[e]! * tau[e]!;
        acc[m] = s;
      });
      return;
    }
    const variance = variances(taus);
    if (pass === 0) {
      for (const v of variance) if (v !== 0) acc[0] = acc[0]! + 1;
      addScores(variance, 0, initialStates([1]), acc, 1);
    } else if (pass < SQUARES) addScores(variance, pass, stats[pass - 1]!, acc);
    else addKeptSquares(taus, variance, chunkOffset(job), stats);
  },
  close(job, pass, stats, numel) {
    const acc = stats[pass]!;
    const K = job.perModel.length;
    if (topk(job) >= 1) stats[pass] = sceWeights(acc.slice(0, K), numel);
    else if (pass === 0) {
      const k = topk(job) <= 0 ? 0 : Math.trunc(acc[0]! * topk(job));
      stats[0] = closeDigit(0, initialStates([k]), acc, 1);
    } else if (pass < SQUARES) stats[pass] = closeDigit(pass, stats[pass - 1]!, acc);
    else {
      const { value } = selected(stats[SQUARES - 1]!, 0);
      stats[pass] = [...sceWeights(acc.slice(0, K), numel), value, acc[K + 1]!];
    }
  },
  merge(job, { base, taus }, stats) {
    const K = taus.length;
    if (topk(job) >= 1) return sceCombine(base, taus, stats[0]!, () => true);
    const last = stats[SQUARES]!;
    const kept = keeps(last[K]!, last[K + 1]!, variances(taus), chunkOffset(job));
    return sceCombine(base, taus, last.slice(0, K), kept);
  },
};

/**
 * The squares pass: Σ of the kept entries' squares per model; stats[SQUARES] is
 * [squares ×K, ties still to keep (set at element 0), index after the last kept tie].
 */
function addKeptSquares(
  taus: Float32Array[],
  variance: Float64Array,
  offset: number,
  stats: number[][],
): void {
  const K = taus.length;
  const acc = stats[SQUARES]!;
  const { value, ties } = selected(stats[SQUARES - 1]!, 0);
  if (offset === 0) acc[K] = ties;
  for (let e = 0; e < variance.length; e++) {
    let keep = variance[e]! > value;
    if (!keep && variance[e] === value && acc[K]! > 0) {
      keep = true;
      acc[K] = acc[K]! - 1;
      acc[K + 1] = offset + e + 1;
    }
    if (!keep) continue;
    for (let m = 0; m < K; m++) acc[m] = acc[m]! + taus[m]![e]! * taus[m]![e]!;
  }
}
