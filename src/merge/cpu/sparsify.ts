/**
 * The four sparsifiers of the task-arithmetic family plus rescaling. Each returns a new f32
 * array with dropped entries set to 0. Definitions (the GPU must match them exactly):
 *
 * - magnitude, per tensor: k = floor(density·N); keep exactly k as mergekit does — |δ| above
 *   the k-th largest, then its ties in flat-index order (select.ts's exactTopKBand). Per row
 *   (rowWise): keep |δ| ≥ the row's k-th largest (ties kept). k = 0 keeps nothing.
 *   With model-scope thresholds (official TIES): keep |δ| ≥ the model's threshold.
 * - random (DARE): keep element i iff elementUniform(streamKey(seed, model, nameHash(name)), i)
 *   < density, i = flat index in the tensor.
 * - magnitude_outliers (Breadcrumbs), per tensor or per row of N elements:
 *   n_top = floor(γN), n_bot = N − floor(density·N) − n_top; if n_bot < 0 then n_top += n_bot,
 *   n_bot = 0. The kept band is ranks [n_top, N − n_bot) of |δ| sorted descending, i.e.
 *   floor(density·N) elements. As thresholds: hi = the (n_top+1)-th largest |δ|, lo = the
 *   (N − n_bot)-th largest; keep lo ≤ |δ| ≤ hi. Per tensor, exactly that slice of a stable
 *   ascending sort, as mergekit (select.ts's exactBreadcrumbsBand: of lo's ties the
 *   lowest-index ones go, of hi's the highest-index ones); per row (the paper's code), ties at
 *   either edge are kept. n_top = 0 simply means hi = max |δ| (mergekit's [n_bot:-0]
 *   empty-slice bug is not reproduced).
 * - della_magprune, per row of N elements (a 1-D tensor is one row): rank(i) = number of
 *   elements of the row with strictly smaller |δ| (ties share the lowest rank), r = rank/(N−1)
 *   (r = 0.5 when N = 1), p = (density − ε) + 2ε·r; keep iff elementUniform(key, i) < p.
 *   density ≥ 1 keeps all; otherwise requires 0 < density − ε and density + ε < 1.
 *
 * Rescale (applied to the kept entries): `inverse_density` divides each kept entry by its keep
 * probability (density; DELLA's per-element p — the papers' 1/(1−p)); `l1` multiplies by
 * ‖δ‖₁/‖kept‖₁ and is skipped if either is < 1e-7 (mergekit ≥ 2025). Norms sum in doubles.
 */
import { elementUniform, nameHash, streamKey } from '../random';
import type { RescaleMode, Sparsifier, TaskArithmeticJob, TensorBand } from '../backend';
import {
  bandKeeps,
  exactTensorBand,
  magnitudeBand,
  outlierSlice,
  sortedMagnitudesDesc,
} from './select';
import { sharedKernels } from './wasm/kernels';

export interface SparsifyOptions {
  sparsifier: Sparsifier;
  density: number;
  gamma: number;
  epsilon: number;
  rescale: RescaleMode;
  rowWise: boolean;
  rowLen: number;
  seed: number;
  modelIndex: number;
  tensorName: string;
  /** Model-scope magnitude threshold (keep |δ| ≥ it); replaces the per-tensor selection. */
  threshold?: number;
  /**
   * A streamed tensor's precomputed per-tensor band (keep lo ≤ |δ| ≤ hi, edge ties by its
   * index cuts, select.ts's bandKeeps; null keeps every δ), for magnitude / magnitude_outliers without
   * rowWise; replaces the selection on `delta`.
   */
  band?: TensorBand | null;
  /** Flat index of delta[0] in its tensor (a chunk): the random stream's element index. */
  elementOffset?: number;
  /** A streamed tensor's precomputed l1 factor; replaces the sums over `delta`. */
  l1Factor?: number;
}

/** The options of model m that come straight from its task-arithmetic job's fields. */
export function modelSparsifyOptions(
  job: Pick<
    TaskArithmeticJob,
    'sparsifier' | 'densities' | 'gammas' | 'epsilons' | 'rowWise' | 'seed' | 'tensorName'
  >,
  m: number,
): Omit<SparsifyOptions, 'rescale' | 'rowLen'> {
  return {
    sparsifier: job.sparsifier,
    density: job.densities[m] ?? 1,
    gamma: job.gammas[m] ?? 0,
    epsilon: job.epsilons[m] ?? 0,
    rowWise: job.rowWise,
    seed: job.seed,
    modelIndex: m,
    tensorName: job.tensorName,
  };
}

/** `out` (delta.length floats, any contents) receives the result instead of a new array. */
export function sparsify(
  delta: Float32Array,
  o: SparsifyOptions,
  out?: Float32Array,
): Float32Array {
  if (o.sparsifier === 'none') {
    if (!out) return delta.slice();
    out.set(delta);
    return out;
  }
  const kept = out ? out.fill(0) : new Float32Array(delta.length);
  // Per-element keep probability, for the inverse_density rescale.
  let keepProb: (i: number) => number = () => o.density;
  if (o.sparsifier === 'magnitude' && o.threshold !== undefined) {
    keepByThreshold(delta, kept, o.threshold);
  } else if (
    (o.sparsifier === 'magnitude' || o.sparsifier === 'magnitude_outliers') &&
    o.band !== undefined
  ) {
    if (o.band === null) kept.set(delta);
    else keepInBand(delta, kept, o.band, o.elementOffset ?? 0);
  } else if (
    (o.sparsifier === 'magnitude' || o.sparsifier === 'magnitude_outliers') &&
    !o.rowWise
  ) {
    if (o.density >= 1) kept.set(delta);
    else {
      const gamma = o.sparsifier === 'magnitude' ? 0 : o.gamma;
      const band = exactTensorBand(delta, 0, delta.length, o.sparsifier, o.density, gamma);
      if (band) keepInBand(delta, kept, band, 0);
    }
  } else if (o.sparsifier === 'magnitude' || o.sparsifier === 'magnitude_outliers') {
    const seg = o.rowWise ? o.rowLen : delta.length;
    const gamma = o.sparsifier === 'magnitude' ? 0 : o.gamma;
    for (let begin = 0; begin < delta.length; begin += seg) {
      keepBand(delta, kept, begin, Math.min(begin + seg, delta.length), o.density, gamma);
    }
  } else if (o.sparsifier === 'random') {
    if (o.density >= 1) kept.set(delta);
    else {
      const key = streamKey(o.seed, o.modelIndex, nameHash(o.tensorName));
      const offset = o.elementOffset ?? 0;
      for (let i = 0; i < delta.length; i++) {
        if (elementUniform(key, offset + i) < o.density) kept[i] = delta[i] as number;
      }
    }
  } else if (o.sparsifier === 'della_magprune') {
    if (o.density >= 1) kept.set(delta);
    else keepProb = dellaKeep(delta, kept, o);
  } else {
    throw new Error(`${o.tensorName}: unknown sparsifier ${String(o.sparsifier)}`);
  }
  if (o.rescale === 'l1' && o.l1Factor !== undefined) scaleInPlace(kept, o.l1Factor);
  else rescaleInPlace(delta, kept, o.rescale, o.density >= 1 ? () => 1 : keepProb);
  return kept;
}

/**
 * The l1 rescale factor ‖δ‖₁/‖kept‖₁ from sums in doubles (1 when either is < 1e-7, as
 * mergekit ≥ 2025 skips the rescale).
 */
export function l1Factor(before: number, after: number): number {
  return before < 1e-7 || after < 1e-7 ? 1 : before / after;
}

/**
 * Adds Σ|δ| and Σ|kept| over delta to sums (continuing running sums in element order, so a
 * tensor streamed chunk by chunk gets exactly the whole tensor's sums).
 */
export function addL1Sums(
  delta: Float32Array,
  kept: Float32Array,
  sums: { before: number; after: number },
): void {
  let { before, after } = sums;
  for (let i = 0; i < delta.length; i++) {
    before += Math.abs(delta[i] as number);
    after += Math.abs(kept[i] as number);
  }
  sums.before = before;
  sums.after = after;
}

function scaleInPlace(kept: Float32Array, factor: number): void {
  if (factor === 1) return;
  for (let i = 0; i < kept.length; i++) kept[i] = (kept[i] as number) * factor;
}

/** `offset`: flat index of delta[0] in its tensor (the band's tieEnd is a tensor index). */
function keepInBand(
  delta: Float32Array,
  kept: Float32Array,
  band: TensorBand,
  offset: number,
): void {
  for (let i = 0; i < delta.length; i++) {
    const d = delta[i] as number;
    if (bandKeeps(Math.abs(d), offset + i, band)) kept[i] = d;
  }
}

function keepByThreshold(delta: Float32Array, kept: Float32Array, threshold: number): void {
  for (let i = 0; i < delta.length; i++) {
    const d = delta[i] as number;
    if (Math.abs(d) >= threshold) kept[i] = d;
  }
}

/** Breadcrumbs band (magnitude is the γ = 0 case) on delta[begin..end). */
function keepBand(
  delta: Float32Array,
  kept: Float32Array,
  begin: number,
  end: number,
  density: number,
  gamma: number,
): void {
  const n = end - begin;
  if (density >= 1 && gamma <= 0) {
    kept.set(delta.subarray(begin, end), begin);
    return;
  }
  const { nTop, keep } = outlierSlice(n, density, gamma);
  const band = magnitudeBand(delta, begin, end, nTop, keep);
  if (!band) return;
  for (let i = begin; i < end; i++) {
    const d = delta[i] as number;
    if (bandKeeps(Math.abs(d), i, band)) kept[i] = d;
  }
}

/**
 * DELLA's working arrays (keep probabilities, ranks, one row's magnitudes and sort order),
 * reused from call to call up to 2^20 elements: fresh ones for every model and chunk were
 * tens of MiB of garbage per second, which piled up in the CLI's worker threads (+60 MiB
 * peak). Each is valid until the next call that asks for the same one.
 */
const REUSE_LIMIT = 1 << 20;
const f64Buffers = new Map<string, Float64Array>();
let f32Buffer = new Float32Array(0);

function reusedF64(n: number, use: 'probs' | 'ranks'): Float64Array {
  if (n > REUSE_LIMIT) return new Float64Array(n);
  let b = f64Buffers.get(use);
  if (!b || b.length < n) f64Buffers.set(use, (b = new Float64Array(n)));
  return b.subarray(0, n);
}

function reusedF32(n: number): Float32Array {
  if (n > REUSE_LIMIT) return new Float32Array(n);
  if (f32Buffer.length < n) f32Buffer = new Float32Array(n);
  return f32Buffer.subarray(0, n);
}

/** DELLA MAGPRUNE: rank-dependent keep probability per row. Returns p(i) for rescaling. */
function dellaKeep(
  delta: Float32Array,
  kept: Float32Array,
  o: SparsifyOptions,
): (i: number) => number {
  const lowP = o.density - o.epsilon;
  const highP = o.density + o.epsilon;
  if (!(lowP > 0 && highP < 1)) {
    throw new Error(
      `${o.tensorName}: della needs 0 < density − epsilon and density + epsilon < 1 (density ${o.density}, epsilon ${o.epsilon})`,
    );
  }
  const key = streamKey(o.seed, o.modelIndex, nameHash(o.tensorName));
  const offset = o.elementOffset ?? 0;
  const probs = reusedF64(delta.length, 'probs');
  const seg = o.rowLen;
  const ranks = seg < RADIX_RANK_LIMIT ? reusedF64(seg, 'ranks') : undefined;
  for (let begin = 0; begin < delta.length; begin += seg) {
    const end = Math.min(begin + seg, delta.length);
    const n = end - begin;
    // Ascending magnitudes for rows too long for rowRanks; rank(x) = index of the first
    // element ≥ |x| (= count strictly smaller).
    let asc: Float32Array | undefined;
    let rowRank: ArrayLike<number> | undefined;
    if (ranks) rowRank = fastRowRanks(delta, begin, end, ranks);
    else asc = sortedMagnitudesDesc(delta, begin, end).reverse();
    for (let i = begin; i < end; i++) {
      const rank = asc ? lowerBound(asc, Math.abs(delta[i] as number)) : rowRank![i - begin]!;
      const r = n > 1 ? rank / (n - 1) : 0.5;
      const p = lowP + 2 * o.epsilon * r;
      probs[i] = p;
      if (elementUniform(key, offset + i) < p) kept[i] = delta[i] as number;
    }
  }
  return (i) => probs[i] as number;
}

/** Rows shorter than this get their ranks from a radix sort of their |δ| bits (fastRowRanks). */
const RADIX_RANK_LIMIT = 2 ** 22;

const u32Buffers: Uint32Array[] = [];
/** Reused index arrays of rowRanks (two, ping-ponged by the radix passes). */
function reusedU32(n: number, which: 0 | 1): Uint32Array {
  if (n > REUSE_LIMIT) return new Uint32Array(n);
  let b = u32Buffers[which];
  if (!b || b.length < n) u32Buffers[which] = b = new Uint32Array(Math.max(n, 1024));
  return b.subarray(0, n);
}
const digitCounts = new Uint32Array(256);

/**
 * rank[i] = number of elements of delta[begin..end) with strictly smaller |δ| — what
 * lowerBound over the sorted magnitudes gives. The indices are sorted by the bits of |δ| (a
 * non-negative f32 orders like its bits) with a stable LSD radix sort, 8 bits a pass (a pass
 * whose digit is the same for every element is skipped); equal magnitudes are then adjacent
 * and take the position of the first. A NaN |δ| gets rank 0, as lowerBound gives it (NaN
 * compares false), and sorts last, so it counts for nobody. ≈ 1.5× faster than the native
 * sort of (bits, index) keys it replaced, with the same ranks; kernels.wat's rankRow does
 * the same ≈ 3× faster again.
 */
function rowRanks(delta: Float32Array, begin: number, end: number, ranks: Float64Array): void {
  const n = end - begin;
  const mags = reusedF32(n);
  const bits = new Uint32Array(mags.buffer, mags.byteOffset, n);
  for (let i = 0; i < n; i++) mags[i] = Math.abs(delta[begin + i]!);
  let order = reusedU32(n, 0);
  let spare = reusedU32(n, 1);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = digitCounts;
  for (let shift = 0; shift < 32; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(bits[i]! >>> shift) & 255]!++;
    if (counts[(bits[0]! >>> shift) & 255] === n) continue;
    let start = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[d]!;
      counts[d] = start;
      start += c;
    }
    for (let p = 0; p < n; p++) {
      const i = order[p]!;
      spare[counts[(bits[i]! >>> shift) & 255]!++] = i;
    }
    [order, spare] = [spare, order];
  }
  let first = 0;
  let previous = -1;
  for (let p = 0; p < n; p++) {
    const i = order[p]!;
    const b = bits[i]!;
    if (b !== previous) {
      first = p;
      previous = b;
    }
    ranks[i] = Number.isNaN(mags[i]!) ? 0 : first;
  }
}

/** Rows up to this long get their ranks from the SIMD module's rankRow (4 words an element). */
const WASM_RANK_LIMIT = 1 << 20;

/**
 * rowRanks' ranks, from kernels.wat's rankRow (the same radix sort) where
 * WebAssembly exists and the row fits WASM_RANK_LIMIT, else from rowRanks into `fallback`.
 * The returned view is valid until the next use of the shared kernels.
 */
function fastRowRanks(
  delta: Float32Array,
  begin: number,
  end: number,
  fallback: Float64Array,
): ArrayLike<number> {
  const n = end - begin;
  const w = n <= WASM_RANK_LIMIT ? sharedKernels() : undefined;
  if (!w) {
    rowRanks(delta, begin, end, fallback);
    return fallback;
  }
  const bytes = 4 * n;
  const at = { counts: 0, bits: 1024, order: 1024 + bytes, spare: 1024 + 2 * bytes };
  const ranks = at.spare + bytes;
  w.reserve(ranks + bytes);
  w.f32.set(delta.subarray(begin, end), at.bits / 4);
  w.exports.rankRow(at.bits, n, at.order, at.spare, at.counts, ranks);
  return w.u32.subarray(ranks / 4, ranks / 4 + n);
}

function lowerBound(asc: Float32Array, x: number): number {
  let lo = 0;
  let hi = asc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((asc[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function rescaleInPlace(
  delta: Float32Array,
  kept: Float32Array,
  mode: RescaleMode,
  keepProb: (i: number) => number,
): void {
  if (mode === 'none') return;
  if (mode === 'inverse_density') {
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i] as number;
      if (k !== 0) kept[i] = k / keepProb(i);
    }
    return;
  }
  const sums = { before: 0, after: 0 };
  addL1Sums(delta, kept, sums);
  scaleInPlace(kept, l1Factor(sums.before, sums.after));
}
