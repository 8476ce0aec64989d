/**
 * mergekit's per-tensor trims keep exactly k entries. The magnitude trim
 * (`torch.argsort(|δ|, descending=True)[:k]`) keeps every |δ| above the k-th largest, then as
 * many of its ties as fit; Breadcrumbs (magnitude_outliers: the slice [n_bot, N − n_top) of an
 * ascending sort) keeps exactly its band, cutting the ties at both edges. The studio orders
 * ties as a stable sort does — torch's order wherever its sort is stable (≤ 16 elements on
 * the CPU) — which a few scalars per model and tensor express (TensorBand's tieEnd,
 * loTieBegin, hiTieEnd: flat indices where an edge's kept ties begin or end).
 *
 * The CPU kernels never test those indices per element: tieCut cuts a job at every such index
 * into element ranges, in each of which every edge keeps either all of its ties or none
 * (lo ≤ |δ| or lo⁺ ≤ |δ|, |δ| ≤ hi or |δ| ≤ hi⁻, with x⁺ / x⁻ the next f32 above / below x),
 * so the TypeScript and WebAssembly kernels run their plain lo ≤ |δ| ≤ hi bands on each range
 * unchanged. The WGSL kernel tests the indices itself (MODE_BAND_CUT): the WebGPU backend
 * takes the job unsplit from withExactBands. Whole-tensor jobs get their bands (and l1
 * factors) here first, on the CPU, from the decoded inputs. Model-scope thresholds (the papers' TIES) and row-wise trims (the papers'
 * Breadcrumbs) keep their ties, as the papers' code does.
 */
import { outputArray, type TaskArithmeticJob, type TensorBand, type TensorResult } from './backend';
import { addL1Sums, l1Factor, modelSparsifyOptions, sparsify } from './cpu/sparsify';
import { exactTensorBand } from './cpu/select';
import { f32View, taskVector } from './cpu/unpack';
import { jobRange } from './split-job';

type TrimFields = Pick<TaskArithmeticJob, 'sparsifier' | 'rowWise' | 'modelScopeThresholds'>;

/** The band fields that name an index cut. */
const CUT_FIELDS = ['tieEnd', 'loTieBegin', 'hiTieEnd'] as const;

/** The job's trim is one of mergekit's exactly-k ones (per tensor, not row-wise). */
export function keepsExactlyK(job: TrimFields): boolean {
  if (job.rowWise) return false;
  if (job.sparsifier === 'magnitude_outliers') return true;
  return job.sparsifier === 'magnitude' && job.modelScopeThresholds === undefined;
}

/** The smallest f32 above a non-negative finite f32 x: |δ| ≥ it ⟺ |δ| > x for f32 |δ|. */
export function nextF32Above(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer);
  bits[0] = bits[0]! + 1;
  return f[0]!;
}

/** The largest f32 below a positive finite f32 x: |δ| ≤ it ⟺ |δ| < x for f32 |δ|. */
export function nextF32Below(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer);
  bits[0] = bits[0]! - 1;
  return f[0]!;
}

/**
 * Which side of a cut at `at` the range [begin, end) lies on: 'before' (end ≤ at), 'after'
 * (begin ≥ at), or 'cut' (it holds the cut). No cut: 'before'.
 */
function side(at: number | undefined, begin: number, end: number): 'before' | 'after' | 'cut' {
  if (at === undefined || end <= at) return 'before';
  return begin >= at ? 'after' : 'cut';
}

/** The band of elements [begin, end) of the tensor without an index test ('cut': a cut inside). */
function plainBand(band: TensorBand | null, begin: number, end: number): TensorBand | null | 'cut' {
  if (band === null) return null;
  const tieEnd = side(band.tieEnd, begin, end);
  const loBegin = side(band.loTieBegin, begin, end);
  const hiEnd = side(band.hiTieEnd, begin, end);
  if (tieEnd === 'cut' || loBegin === 'cut' || hiEnd === 'cut') return 'cut';
  // lo's ties are kept before tieEnd and from loTieBegin on; hi's before hiTieEnd.
  const keepsLo = tieEnd === 'before' && (band.loTieBegin === undefined || loBegin === 'after');
  const keepsHi = hiEnd === 'before';
  // hi = 0 with its ties dropped: nothing is kept (hi⁻ would be −0's neighbour, below every |δ|).
  const hi = keepsHi ? band.hi : band.hi > 0 ? nextF32Below(band.hi) : -Infinity;
  return { lo: keepsLo ? band.lo : nextF32Above(band.lo), hi };
}

/** Per model, the exactly-k band of a whole-tensor job (cuts as tensor indices). */
function wholeTensorBands(job: TaskArithmeticJob): (TensorBand | null)[] {
  const n = job.numel;
  const offset = job.elementOffset ?? 0;
  const base = f32View(job.base, n, `${job.tensorName} (base)`);
  const delta = new Float32Array(n);
  const sparsifier = job.sparsifier as 'magnitude' | 'magnitude_outliers';
  return job.models.map((raw, m) => {
    const density = job.densities[m] ?? 1;
    const gamma = sparsifier === 'magnitude' ? 0 : (job.gammas[m] ?? 0);
    if (density >= 1) return null;
    taskVector(base, f32View(raw, n, `${job.tensorName} (model ${m})`), delta);
    const band = exactTensorBand(delta, 0, n, sparsifier, density, gamma);
    if (!band) return { lo: Infinity, hi: -Infinity };
    return offsetCuts(band, offset);
  });
}

/** The band with its cut indices moved by `offset` (a job's element 0 in its tensor). */
function offsetCuts(band: TensorBand, offset: number): TensorBand {
  const moved = { ...band };
  for (const f of CUT_FIELDS) if (moved[f] !== undefined) moved[f] = moved[f]! + offset;
  return moved;
}

/** The l1 factors ‖δ‖₁/‖kept‖₁ of a whole-tensor job under its exactly-k bands. */
function wholeTensorL1(job: TaskArithmeticJob, bands: (TensorBand | null)[]): number[] {
  const n = job.numel;
  const base = f32View(job.base, n, `${job.tensorName} (base)`);
  const delta = new Float32Array(n);
  const kept = new Float32Array(n);
  return job.models.map((raw, m) => {
    taskVector(base, f32View(raw, n, `${job.tensorName} (model ${m})`), delta);
    const options = { ...modelSparsifyOptions(job, m), rescale: 'none' as const, rowLen: n };
    sparsify(delta, { ...options, band: bands[m] ?? null, elementOffset: job.elementOffset }, kept);
    const sums = { before: 0, after: 0 };
    addL1Sums(delta, kept, sums);
    return l1Factor(sums.before, sums.after);
  });
}

/**
 * The job with its exactly-k bands (and l1 factors) selected over the whole tensor, unsplit:
 * for a backend that tests the cut indices itself (the WGSL band keep, MODE.bandCut). The job
 * itself when it is no exactly-k trim or already has its bands.
 */
export function withExactBands(job: TaskArithmeticJob): TaskArithmeticJob {
  if (!keepsExactlyK(job) || job.tensorBands) return job;
  const tensorBands = wholeTensorBands(job);
  const l1 =
    job.rescale === 'l1' && !job.l1Factors ? wholeTensorL1(job, tensorBands) : job.l1Factors;
  return { ...job, tensorBands, ...(l1 ? { l1Factors: l1 } : {}) };
}

/** A job cut into ranges with plain bands, and the output array the ranges write into. */
export interface TieCut {
  job: TaskArithmeticJob;
  parts: TaskArithmeticJob[];
  out: Float32Array;
}

/**
 * The job as ranges whose bands need no index test, or undefined when it has none to cut
 * (not an exactly-k trim, or bands already plain). Run every part as a job of its own and
 * join the results with joinTieCut.
 */
export function tieCut(job: TaskArithmeticJob): TieCut | undefined {
  if (!keepsExactlyK(job)) return undefined;
  const given = job.tensorBands;
  if (given && !given.some((b) => CUT_FIELDS.some((f) => b?.[f] !== undefined))) return undefined;
  const exact = withExactBands(job);
  const bands = exact.tensorBands!; // set for every exactly-k job
  const l1 = exact.l1Factors;
  const offset = job.elementOffset ?? 0;
  const cuts = new Set<number>();
  for (const b of bands) {
    for (const f of CUT_FIELDS) {
      const at = (b?.[f] ?? 0) - offset;
      if (at > 0 && at < job.numel) cuts.add(at);
    }
  }
  const edges = [0, ...[...cuts].sort((a, b) => a - b), job.numel];
  const out = outputArray(job);
  const withOut = { ...job, output: out };
  const parts = edges.slice(1).map((end, i) => {
    const begin = edges[i]!;
    const whole = begin === 0 && end === job.numel;
    const part = whole ? withOut : (jobRange(withOut, begin, end) as TaskArithmeticJob);
    const tensorBands = bands.map((b) => plainBand(b, offset + begin, offset + end));
    if (tensorBands.includes('cut')) throw new Error(`${job.tensorName}: tie cut missed`);
    return {
      ...part,
      tensorBands: tensorBands as (TensorBand | null)[],
      ...(l1 ? { l1Factors: l1 } : {}),
    };
  });
  return { job, parts, out };
}

/** The cut job's result from its parts' results (in the parts' order). */
export function joinTieCut(cut: TieCut, results: TensorResult[]): TensorResult {
  let at = 0;
  let nonFinite: number | undefined = 0;
  cut.parts.forEach((part, i) => {
    const r = results[i]!;
    const view = cut.out.subarray(at, at + part.numel);
    if (
      r.merged !== view &&
      !(r.merged.buffer === view.buffer && r.merged.byteOffset === view.byteOffset)
    ) {
      view.set(r.merged);
    }
    nonFinite =
      nonFinite === undefined || r.nonFinite === undefined ? undefined : nonFinite + r.nonFinite;
    at += part.numel;
  });
  return { merged: cut.out, ...(nonFinite !== undefined ? { nonFinite } : {}) };
}
