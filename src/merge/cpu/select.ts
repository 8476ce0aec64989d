/**
 * Order statistics of |δ| used by the magnitude-based sparsifiers. The reference sorts a copy
 * (clear and exact); the GPU may use a radix select over f32 bit patterns and must return the
 * same *value*, which is well defined whatever the order of equal elements.
 */

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
  const sorted = sortedMagnitudesDesc(values, begin, end);
  const last = Math.min(skipTop + keep, n) - 1;
  return { lo: sorted[last] as number, hi: sorted[skipTop] as number };
}
