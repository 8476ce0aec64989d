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

/**
 * Histograms of finished selections, for the next ones: a per-tensor selection (Breadcrumbs,
 * per-tensor TIES bands) of 8 models takes 16 × 512 KiB, once per streamed tensor, and the
 * garbage collector let several tensors' arrays pile up (+50–100 MiB peak in the CLI).
 */
const spareHistograms: Float64Array[] = [];
const MAX_SPARE_HISTOGRAMS = 64;

function zeroedHistogram(): Float64Array {
  const h = spareHistograms.pop();
  return h ? h.fill(0) : new Float64Array(RADIX_BINS);
}

/** The selection is over: its states' histograms go to the next one (do not use them again). */
export function releaseRadixStates(states: RadixState[]): void {
  for (const s of states) {
    if (s.hist.length === RADIX_BINS && spareHistograms.length < MAX_SPARE_HISTOGRAMS) {
      spareHistograms.push(s.hist);
    }
    s.hist = new Float64Array(0);
  }
}

export function newRadixStates(densities: number[], totalElements: number): RadixState[] {
  return densities.map((d) => {
    const k = Math.floor(d * totalElements);
    const done = k <= 0 ? Infinity : k >= totalElements ? 0 : undefined;
    return {
      k,
      hist: done === undefined ? zeroedHistogram() : new Float64Array(0),
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

/** Every model's decided threshold (the selector contract's thresholds()). */
export function decidedThresholds(models: RadixState[]): number[] {
  return models.map((s, m) => {
    if (s.threshold === undefined) throw new Error(`magnitude selector: model ${m} not finished`);
    return s.threshold;
  });
}

/**
 * The non-zero span of a histogram, for sending it between threads: |δ| bins are concentrated
 * (a few thousand of the 65 536), so a span is ~100× smaller than the whole array.
 */
export interface HistogramPart {
  first: number;
  counts: Float64Array;
}

export function histogramPart(hist: Float64Array): HistogramPart {
  let first = 0;
  while (first < hist.length && hist[first] === 0) first++;
  let end = hist.length;
  while (end > first && hist[end - 1] === 0) end--;
  return { first, counts: hist.slice(first, end) };
}

export function addHistogramPart(target: Float64Array, part: HistogramPart): void {
  const { first, counts } = part;
  for (let i = 0; i < counts.length; i++) target[first + i]! += counts[i]!;
}
