/**
 * Order statistics of |δ| used by the magnitude-based sparsifiers. Short ranges sort a copy
 * (clear and exact); long ones use a two-pass radix select over the f32 bit patterns, which
 * returns the same *value* (a non-negative f32 — and NaN, which a sort puts last — orders like
 * its bits; the value is well defined whatever the order of equal elements). A sort of a
 * 4 M-element tensor per model was most of the time of per-tensor TIES and Breadcrumbs.
 */

import type { TensorBand } from '../backend';

/** Below this many elements a sort is cheaper than two passes over 65 536 bins. */
const RADIX_MIN = 1 << 16;

/** The rank-th largest |values[begin..end)| (rank ≥ 1), exactly as sorting would give it. */
export function kthLargestMagnitude(
  values: Float32Array,
  begin: number,
  end: number,
  rank: number,
): number {
  const bits = new Uint32Array(values.buffer, values.byteOffset + begin * 4, end - begin);
  const n = bits.length;
  const hist = new Uint32Array(1 << 16);
  for (let i = 0; i < n; i++) hist[(bits[i]! & 0x7fffffff) >>> 16]!++;
  let high = 0;
  let remaining = rank;
  for (let bin = hist.length - 1; bin >= 0; bin--) {
    if (hist[bin]! >= remaining) {
      high = bin;
      break;
    }
    remaining -= hist[bin]!;
  }
  hist.fill(0);
  for (let i = 0; i < n; i++) {
    const a = bits[i]! & 0x7fffffff;
    if (a >>> 16 === high) hist[a & 0xffff]!++;
  }
  let low = 0;
  for (let bin = hist.length - 1; bin >= 0; bin--) {
    if (hist[bin]! >= remaining) {
      low = bin;
      break;
    }
    remaining -= hist[bin]!;
  }
  const out = new Uint32Array([((high << 16) | low) >>> 0]);
  return new Float32Array(out.buffer)[0]!;
}

/** |values[begin..end)| sorted descending, as f32. */
export function sortedMagnitudesDesc(
  values: Float32Array,
  begin: number,
  end: number,
): Float32Array {
  const mags = new Float32Array(end - begin);
  for (let i = begin; i < end; i++) mags[i - begin] = Math.abs(values[i] as number);
  mags.sort();
  mags.reverse();
  return mags;
}

/**
 * Inclusive magnitude band [lo, hi] that keeps the elements of ranks [skipTop, skipTop + keep)
 * in descending |δ| order. Elements tied with an edge value are all kept, so the band may keep
 * more than `keep` elements but never drops one a full sort would keep. `null` = keep nothing.
 */
export function magnitudeBand(
  values: Float32Array,
  begin: number,
  end: number,
  skipTop: number,
  keep: number,
): { lo: number; hi: number } | null {
  const n = end - begin;
  if (keep <= 0 || skipTop >= n) return null;
  const last = Math.min(skipTop + keep, n) - 1;
  if (n >= RADIX_MIN) {
    return {
      lo: kthLargestMagnitude(values, begin, end, last + 1),
      hi: kthLargestMagnitude(values, begin, end, skipTop + 1),
    };
  }
  const sorted = sortedMagnitudesDesc(values, begin, end);
  return { lo: sorted[last] as number, hi: sorted[skipTop] as number };
}

/**
 * mergekit's per-tensor magnitude trim: exactly `keep` elements of values[begin..end) — every
 * |δ| above the keep-th largest, then the ties with it in index order (what a stable
 * descending sort's first `keep` are). `tieEnd` (an index into `values`) is set only when
 * some ties are dropped. `null` = keep nothing.
 */
export function exactTopKBand(
  values: Float32Array,
  begin: number,
  end: number,
  keep: number,
): TensorBand | null {
  const band = magnitudeBand(values, begin, end, 0, keep);
  if (!band) return null;
  let above = 0;
  let ties = 0;
  for (let i = begin; i < end; i++) {
    const a = Math.abs(values[i]!);
    if (a > band.lo) above++;
    else if (a === band.lo) ties++;
  }
  const need = keep - above;
  if (ties <= need) return band;
  let seen = 0;
  for (let i = begin; i < end; i++) {
    if (Math.abs(values[i]!) === band.lo && ++seen === need) return { ...band, tieEnd: i + 1 };
  }
  return band;
}

/**
 * The one keep test of a band on the CPU: lo ≤ |δ| ≤ hi, and an element tied with lo only
 * below the band's tieEnd (`index` = the element's flat index in its tensor).
 */
export function bandKeeps(a: number, index: number, band: TensorBand): boolean {
  if (!(a <= band.hi)) return false;
  if (a > band.lo) return true;
  return a === band.lo && (band.tieEnd === undefined || index < band.tieEnd);
}
