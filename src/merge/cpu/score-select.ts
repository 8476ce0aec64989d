/**
 * Exact order statistics of a per-element f64 score (SCE's variance, arcee_fusion's importance)
 * over chunks read in element order, for the streamed methods (streamed-methods.ts): a radix
 * select on the scores' sortable 64-bit keys, 16 bits per read, so four reads find the exact
 * value a whole-tensor sort would put at rank k. It is the f64 form of the magnitude
 * selectors' two-read f32 select and shares their bin walk (radix-threshold.ts findRank).
 *
 * State lives in a method's statistics arrays: while digit pass p runs, `hist` holds one
 * 65 536-bin histogram per query; closing it leaves per query [hi, lo, remaining] — the key's
 * top 16·(p + 1) bits and the rank still to find among the elements sharing them.
 */
import { findRank, RADIX_BINS } from '../radix-threshold';

/** Reads of the chunks a selection takes (one per 16-bit digit of the key). */
export const SCORE_DIGITS = 4;
const STATE = 3;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const [LO, HI] = LITTLE_ENDIAN ? [0, 1] : [1, 0];

/** The key's halves in u32[HI], u32[LO]: unsigned order of (hi, lo) is the order of values. */
function setKey(value: number): void {
  // −0 and +0 are one value (a sort ties them): one key.
  f64[0] = value === 0 ? 0 : value;
  if (u32[HI]! & 0x80000000) {
    u32[HI] = ~u32[HI]!;
    u32[LO] = ~u32[LO]!;
  } else u32[HI] = u32[HI]! | 0x80000000;
}

function valueOfKey(hi: number, lo: number): number {
  if (hi & 0x80000000) {
    u32[HI] = hi & 0x7fffffff;
    u32[LO] = lo;
  } else {
    u32[HI] = ~hi;
    u32[LO] = ~lo;
  }
  return f64[0]!;
}

function digit(p: number): number {
  const hi = u32[HI]!;
  const lo = u32[LO]!;
  return p === 0 ? hi >>> 16 : p === 1 ? hi & 0xffff : p === 2 ? lo >>> 16 : lo & 0xffff;
}

/** The key's digits above digit p equal the prefix (hi, lo) of a closed pass. */
function matches(p: number, hi: number, lo: number): boolean {
  const h = u32[HI]!;
  if (p === 0) return true;
  if (p === 1) return h >>> 16 === hi >>> 16;
  if (h !== hi) return false;
  return p === 2 || u32[LO]! >>> 16 === lo >>> 16;
}

/** Zeroed histograms for digit pass p of `queries` selections. */
export const newHistograms = (queries: number) => new Array<number>(queries * RADIX_BINS).fill(0);

/** The states before digit 0: rank k (1-based from the largest) of each query. */
export const initialStates = (ranks: number[]) => ranks.flatMap((k) => [0, 0, k]);

/**
 * Counts the scores into digit pass p's histograms; `states` are the states the previous
 * digit pass left (initialStates for p = 0). Queries whose rank is 0 count nothing.
 */
export function addScores(
  scores: ArrayLike<number>,
  p: number,
  states: number[],
  hist: number[],
  histOffset = 0,
): void {
  const queries = states.length / STATE;
  for (let i = 0; i < scores.length; i++) {
    setKey(scores[i]!);
    const bin = digit(p);
    for (let q = 0; q < queries; q++) {
      if (states[q * STATE + 2]! <= 0 || !matches(p, states[q * STATE]!, states[q * STATE + 1]!))
        continue;
      const at = histOffset + q * RADIX_BINS + bin;
      hist[at] = hist[at]! + 1;
    }
  }
}

/** Closes digit pass p: the states for pass p + 1 (after the last digit, the whole keys). */
export function closeDigit(p: number, states: number[], hist: number[], histOffset = 0): number[] {
  const out = states.slice();
  for (let q = 0; q < states.length / STATE; q++) {
    const remaining = states[q * STATE + 2]!;
    if (remaining <= 0) continue;
    const from = histOffset + q * RADIX_BINS;
    const found = findRank(hist.slice(from, from + RADIX_BINS), remaining);
    const shift = p % 2 === 0 ? 16 : 0;
    const half = p < 2 ? 0 : 1;
    out[q * STATE + half] = (out[q * STATE + half]! | (found.bin << shift)) >>> 0;
    out[q * STATE + 2] = found.remaining;
  }
  return out;
}

/**
 * Query q's selected value and how many of the elements equal to it belong to the top k
 * (the k-th largest's rank among its ties); rank 0 → +∞ and none.
 */
export function selected(states: number[], q: number): { value: number; ties: number } {
  const remaining = states[q * STATE + 2]!;
  if (remaining <= 0) return { value: Infinity, ties: 0 };
  return { value: valueOfKey(states[q * STATE]!, states[q * STATE + 1]!), ties: remaining };
}
