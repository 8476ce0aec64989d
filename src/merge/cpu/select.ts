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
  return kthLargestWithCounts(values, begin, end, rank).value;
}

/** Exponent bits all ones: ±∞ or NaN, whose comparisons the radix order does not follow. */
const NON_FINITE_HIGH = 0x7f80;

/**
 * The rank-th largest |δ| and, from the same two histograms, how many |δ| are above it and
 * tied with it (what countAboveAndTied scans for). `counts` is undefined when the range holds
 * ±∞ or NaN: NaN sorts above ∞ by its bits but is never "above" by comparison.
 */
export function kthLargestWithCounts(
  values: Float32Array,
  begin: number,
  end: number,
  rank: number,
): { value: number; counts?: { above: number; tied: number } } {
  const bits = new Uint32Array(values.buffer, values.byteOffset + begin * 4, end - begin);
  const n = bits.length;
  const hist = new Uint32Array(1 << 16);
  for (let i = 0; i < n; i++) hist[(bits[i]! & 0x7fffffff) >>> 16]!++;
  let finite = true;
  for (let bin = NON_FINITE_HIGH; bin < hist.length; bin++) if (hist[bin]! > 0) finite = false;
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
  const value = new Float32Array(out.buffer)[0]!;
  // `remaining` is now rank − #{|δ| above the value}.
  return finite ? { value, counts: { above: rank - remaining, tied: hist[low]! } } : { value };
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
  const band = bandWithCounts(values, begin, end, skipTop, keep);
  return band && { lo: band.lo, hi: band.hi };
}

type Counts = { above: number; tied: number };

/**
 * magnitudeBand, with each edge's counts above and tied when the radix select gave them for
 * free (a long, finite range); exactTopKBand and exactBreadcrumbsBand scan for them otherwise.
 */
function bandWithCounts(
  values: Float32Array,
  begin: number,
  end: number,
  skipTop: number,
  keep: number,
): { lo: number; hi: number; loCounts?: Counts; hiCounts?: Counts } | null {
  const n = end - begin;
  if (keep <= 0 || skipTop >= n) return null;
  const last = Math.min(skipTop + keep, n) - 1;
  if (n >= RADIX_MIN) {
    const lo = kthLargestWithCounts(values, begin, end, last + 1);
    // skipTop 0: hi is the maximum, whose counts no caller needs.
    const hi =
      skipTop > 0
        ? kthLargestWithCounts(values, begin, end, skipTop + 1)
        : { value: kthLargestMagnitude(values, begin, end, 1) };
    return { lo: lo.value, hi: hi.value, loCounts: lo.counts, hiCounts: hi.counts };
  }
  const sorted = sortedMagnitudesDesc(values, begin, end);
  return { lo: sorted[last] as number, hi: sorted[skipTop] as number };
}

/** How many |values[begin..end)| are above v and how many equal it. */
export function countAboveAndTied(
  values: Float32Array,
  begin: number,
  end: number,
  v: number,
): { above: number; tied: number } {
  let above = 0;
  let tied = 0;
  for (let i = begin; i < end; i++) {
    const a = Math.abs(values[i]!);
    if (a > v) above++;
    else if (a === v) tied++;
  }
  return { above, tied };
}

/**
 * countAboveAndTied of the f32 task vector δ = tuned − base against one or two values, without
 * storing δ: one pass per model and chunk where a δ array and a scan per value took three (the
 * streamed Breadcrumbs' counting read was half of its merge time on the 2 GB pool).
 */
export function countDeltaAboveAndTied(
  base: Float32Array,
  tuned: Float32Array,
  v0: number,
  v1: number = v0,
): [{ above: number; tied: number }, { above: number; tied: number }] {
  const f = Math.fround;
  let above0 = 0;
  let tied0 = 0;
  let above1 = 0;
  let tied1 = 0;
  for (let i = 0; i < base.length; i++) {
    const a = Math.abs(f(tuned[i]! - base[i]!));
    if (a > v0) above0++;
    else if (a === v0) tied0++;
    if (a > v1) above1++;
    else if (a === v1) tied1++;
  }
  return [
    { above: above0, tied: tied0 },
    { above: above1, tied: tied1 },
  ];
}

/** The index just past the j-th (1-based) element of values[begin..end) with |δ| = v. */
export function pastTie(
  values: Float32Array,
  begin: number,
  end: number,
  v: number,
  j: number,
): number | undefined {
  let seen = 0;
  for (let i = begin; i < end; i++) {
    if (Math.abs(values[i]!) === v && ++seen === j) return i + 1;
  }
  return undefined;
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
  const found = bandWithCounts(values, begin, end, 0, keep);
  if (!found) return null;
  const band = { lo: found.lo, hi: found.hi };
  const { above, tied } = found.loCounts ?? countAboveAndTied(values, begin, end, band.lo);
  const need = keep - above;
  if (tied <= need) return band;
  const tieEnd = pastTie(values, begin, end, band.lo, need);
  return tieEnd === undefined ? band : { ...band, tieEnd };
}

/**
 * The ties a mergekit Breadcrumbs band keeps at each edge, as ordinals among that edge's ties
 * in index order. mergekit keeps the slice [n_bot, N − n_top) of a stable ascending sort of
 * |δ| (descending ranks nTop + 1 … nTop + keep; `lo` the (nTop + keep)-th largest, `hi` the
 * (nTop + 1)-th): of lo's ties the lowest-index ones fall below the slice, of hi's ties the
 * highest-index ones above it.
 * - `dropLo`: how many of lo's ties (lowest index first) are dropped (0: none);
 * - `keepHi`: how many of hi's ties (lowest index first) are kept (undefined: all).
 */
export function breadcrumbsTieCounts(
  lo: { above: number; tied: number },
  hi: { above: number; tied: number } | undefined,
  nTop: number,
  keep: number,
): { dropLo: number; keepHi: number | undefined } {
  const dropLo = Math.max(0, lo.tied - (nTop + keep - lo.above));
  const droppedHi = hi ? nTop - hi.above : 0;
  return { dropLo, keepHi: hi && droppedHi > 0 ? hi.tied - droppedHi : undefined };
}

/**
 * mergekit's per-tensor Breadcrumbs band (magnitude_outliers): exactly `keep` elements of
 * values[begin..end) after skipping the nTop largest, ties at both edges cut by index as
 * breadcrumbsTieCounts says. `loTieBegin` / `hiTieEnd` (indices into `values`) are set only
 * when some of that edge's ties are dropped. `null` = keep nothing.
 */
export function exactBreadcrumbsBand(
  values: Float32Array,
  begin: number,
  end: number,
  nTop: number,
  keep: number,
): TensorBand | null {
  const found = bandWithCounts(values, begin, end, nTop, keep);
  if (!found) return null;
  const band: TensorBand = { lo: found.lo, hi: found.hi };
  const lo = found.loCounts ?? countAboveAndTied(values, begin, end, band.lo);
  const hi =
    nTop > 0 ? (found.hiCounts ?? countAboveAndTied(values, begin, end, band.hi)) : undefined;
  const { dropLo, keepHi } = breadcrumbsTieCounts(lo, hi, nTop, keep);
  const loTieBegin = dropLo > 0 ? pastTie(values, begin, end, band.lo, dropLo) : undefined;
  const hiTieEnd = keepHi !== undefined ? pastTie(values, begin, end, band.hi, keepHi) : undefined;
  return {
    ...band,
    ...(loTieBegin !== undefined ? { loTieBegin } : {}),
    ...(hiTieEnd !== undefined ? { hiTieEnd } : {}),
  };
}

/**
 * The one keep test of a band on the CPU: lo ≤ |δ| ≤ hi, an element tied with an edge only on
 * the kept side of that edge's index cut (`index` = the element's flat index in its tensor).
 */
export function bandKeeps(a: number, index: number, band: TensorBand): boolean {
  if (!(a <= band.hi)) return false;
  if (a === band.hi && band.hiTieEnd !== undefined && index >= band.hiTieEnd) return false;
  if (a > band.lo) return true;
  if (a !== band.lo) return false;
  if (band.tieEnd !== undefined && index >= band.tieEnd) return false;
  return band.loTieBegin === undefined || index >= band.loTieBegin;
}

/**
 * mergekit's magnitude_outliers slice of n elements: n_top = floor(γn) skipped from the top,
 * keep = floor(density·n); when they do not fit, n_top shrinks (mergekit: n_bot < 0 ⇒
 * n_top += n_bot). γ = 0 is the magnitude trim's slice.
 */
export function outlierSlice(
  n: number,
  density: number,
  gamma: number,
): { nTop: number; keep: number } {
  const keep = Math.floor(density * n);
  let nTop = Math.floor(gamma * n);
  const nBot = n - keep - nTop;
  if (nBot < 0) nTop += nBot;
  return { nTop, keep };
}

/**
 * mergekit's per-tensor keep band of a trim (magnitude or magnitude_outliers) on
 * values[begin..end), exactly k kept; null keeps nothing. Callers handle density ≥ 1 (and, for
 * magnitude_outliers, γ ≤ 0) themselves: those keep every δ.
 */
export function exactTensorBand(
  values: Float32Array,
  begin: number,
  end: number,
  sparsifier: 'magnitude' | 'magnitude_outliers',
  density: number,
  gamma: number,
): TensorBand | null {
  const n = end - begin;
  if (sparsifier === 'magnitude') return exactTopKBand(values, begin, end, Math.floor(density * n));
  const { nTop, keep } = outlierSlice(n, density, gamma);
  return exactBreadcrumbsBand(values, begin, end, nTop, keep);
}
