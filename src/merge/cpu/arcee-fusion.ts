/**
 * mergekit's arcee_fusion (merge_methods/arcee_fusion.py): importance |Δ|·KL(softmax(θ₁) ‖
 * softmax(θ₀)) with the KL per row (last dim; each softmax + 1e-8 as mergekit adds); keep Δ
 * where the importance ≥ median + 1.5·IQR, quantiles sorted[floor(q·(n − 1))] (mergekit's
 * approximate_quantiles without its sampling).
 *
 * Streamed (streamed-methods.ts): three reads make each row's softmax maxima, sums and KL, in
 * element order as the whole-row loops had them (a row may span chunks); four more
 * radix-select the three quantiles of the importance exactly (score-select.ts); the merge
 * read then keeps Δ element by element.
 */
import { rowLength } from './unpack';
import {
  chunkOffset,
  wholeTensor,
  type MethodTemplate,
  type StreamedMethod,
} from './streamed-methods';
import {
  addScores,
  closeDigit,
  initialStates,
  newHistograms,
  selected,
  SCORE_DIGITS,
} from './score-select';

const MAXIMA = 0;
const SUMS = 1;
const KL = 2;
/** The first of the quantiles' digit passes. */
const DIGITS = 3;
const QUANTILES = [0.25, 0.5, 0.75];

function rows(job: MethodTemplate) {
  const { shape, numel } = wholeTensor(job);
  const length = rowLength(shape, numel);
  return { length, count: length === 0 ? 0 : numel / length };
}

/** Ranks from the largest of sorted-ascending indices floor(q·(n − 1)). */
function quantileRanks(job: MethodTemplate): number[] {
  const n = wholeTensor(job).numel;
  return QUANTILES.map((q) => (n === 0 ? 0 : n - Math.trunc(q * (n - 1))));
}

/** Element i's importance |Δ|·KL of its row (stats[KL] per row). */
function importance(tau: Float32Array, offset: number, row: number, kl: number[]): Float64Array {
  const out = new Float64Array(tau.length);
  for (let i = 0; i < out.length; i++)
    out[i] = Math.abs(tau[i]!) * kl[Math.floor((offset + i) / row)]!;
  return out;
}

/**
 * Adds one chunk to a row pass: maxima of θ₁ (p) and θ₀ (q), the sums of their exponentials,
 * or the KL terms, each row's slots [row] (p, KL) and [count + row] (q).
 */
function addRowPass(
  pass: number,
  base: Float32Array,
  tuned: Float32Array,
  offset: number,
  { length, count }: { length: number; count: number },
  stats: number[][],
): void {
  const acc = stats[pass]!;
  const [max, sums] = [stats[MAXIMA]!, stats[SUMS]!];
  for (let i = 0; i < base.length; i++) {
    const r = Math.floor((offset + i) / length);
    if (pass === MAXIMA) {
      acc[r] = Math.max(acc[r]!, tuned[i]!);
      acc[count + r] = Math.max(acc[count + r]!, base[i]!);
    } else if (pass === SUMS) {
      acc[r] = acc[r]! + Math.exp(tuned[i]! - max[r]!);
      acc[count + r] = acc[count + r]! + Math.exp(base[i]! - max[count + r]!);
    } else {
      const p = Math.exp(tuned[i]! - max[r]!) / sums[r]! + 1e-8;
      const q = Math.exp(base[i]! - max[count + r]!) / sums[count + r]! + 1e-8;
      acc[r] = acc[r]! + p * Math.log(p / q);
    }
  }
}

export const arceeFusionMethod: StreamedMethod = {
  passes: () => DIGITS + SCORE_DIGITS,
  init(job, pass) {
    const { count } = rows(job);
    if (pass === MAXIMA) return new Array<number>(2 * count).fill(-Infinity);
    if (pass === SUMS) return new Array<number>(2 * count).fill(0);
    if (pass === KL) return new Array<number>(count).fill(0);
    return newHistograms(QUANTILES.length);
  },
  add(job, pass, { base, taus, models }, stats) {
    const offset = chunkOffset(job);
    const shape = rows(job);
    if (pass <= KL) return addRowPass(pass, base, models[0]!, offset, shape, stats);
    const scores = importance(taus[0]!, offset, shape.length, stats[KL]!);
    const states = pass === DIGITS ? initialStates(quantileRanks(job)) : stats[pass - 1]!;
    addScores(scores, pass - DIGITS, states, stats[pass]!);
  },
  close(job, pass, stats) {
    if (pass === KL) {
      // Only the KL per row is read from here on (the merge's jobs carry every pass's sums).
      stats[MAXIMA] = [];
      stats[SUMS] = [];
    }
    if (pass < DIGITS) return;
    const states = pass === DIGITS ? initialStates(quantileRanks(job)) : stats[pass - 1]!;
    stats[pass] = closeDigit(pass - DIGITS, states, stats[pass]!);
  },
  merge(job, { base, taus }, stats) {
    const tau = taus[0]!;
    const states = stats[DIGITS + SCORE_DIGITS - 1]!;
    const [q1, median, q3] = QUANTILES.map((_, q) => selected(states, q).value) as [
      number,
      number,
      number,
    ];
    const threshold = median + 1.5 * (q3 - q1);
    const scores = importance(tau, chunkOffset(job), rows(job).length, stats[KL]!);
    const out = new Float32Array(tau.length);
    for (let i = 0; i < out.length; i++)
      out[i] = base[i]! + (scores[i]! >= threshold ? tau[i]! : 0);
    return out;
  },
};
