/**
 * The two-pass radix select behind every model-scope magnitude selector (CPU reference and
 * WebGPU): the bit pattern of a non-negative f32 sorts like its value, so pass 1 histograms the
 * high 16 bits of |δ| and picks the bin holding the k-th largest, pass 2 histograms the low 16
 * bits inside that bin. Backends differ only in how they fill the histograms; the bookkeeping
 * here is shared so both land on exactly the same threshold, ties included.
 */

export const RADIX_BINS = 1 << 16;

export interface RadixState {
  k: number;
  hist: Float64Array;
  /** High 16 bits of the threshold once pass 1 is closed; -1 before. */
  high: number;
  /** Rank still to find inside the high bin. */
  remaining: number;
  /** Decided threshold (keep |δ| ≥ it); k = 0 → +∞ (keep nothing), k ≥ N → 0 (keep all). */
  threshold: number | undefined;
}

export function newRadixStates(densities: number[], totalElements: number): RadixState[] {
  return densities.map((d) => {
    const k = Math.floor(d * totalElements);
    const done = k <= 0 ? Infinity : k >= totalElements ? 0 : undefined;
    return {
      k,
      hist: new Float64Array(done === undefined ? RADIX_BINS : 0),
      high: -1,
      remaining: k,
      threshold: done,
    };
  });
}

/**
 * Walks the bins from the largest value down to the one holding the k-th largest element
 * (k ≥ 1) and returns that bin and the rank still to find inside it.
 */
export function findRank(hist: ArrayLike<number>, k: number): { bin: number; remaining: number } {
  let seen = 0;
  for (let bin = hist.length - 1; bin >= 0; bin--) {
    const c = hist[bin] as number;
    if (seen + c >= k) return { bin, remaining: k - seen };
    seen += c;
  }
  return { bin: 0, remaining: 1 };
}

/**
 * Closes radix pass `pass` (1 or 2; later passes do nothing) for every undecided model.
 * Returns true when another pass over the same tensors is needed.
 */
export function closeRadixPass(models: RadixState[], pass: number): boolean {
  if (pass === 1) {
    for (const s of models) {
      if (s.threshold !== undefined) continue;
      const { bin, remaining } = findRank(s.hist, s.k);
      s.high = bin;
      s.remaining = remaining;
      s.hist.fill(0);
    }
    return models.some((s) => s.threshold === undefined);
  }
  if (pass === 2) {
    for (const s of models) if (s.threshold === undefined) closeLowPass(s);
  }
  return false;
}

/** Pass 2 for one model: s.hist holds the low-16 counts of the elements in bin s.high. */
export function closeLowPass(s: RadixState): void {
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  bits[0] = ((s.high << 16) | findRank(s.hist, s.remaining).bin) >>> 0;
  s.threshold = asFloat[0] as number;
}
