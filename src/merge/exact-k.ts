/**
 * mergekit's per-tensor magnitude trim keeps exactly k = floor(density·N) entries
 * (`torch.argsort(|δ|, descending=True)[:k]`): every |δ| above the k-th largest, then as many
 * of its ties as fit. The studio takes those ties in flat-index order — torch's order wherever
 * its sort is stable — which one scalar per model and tensor expresses: the band's `tieEnd`
 * (TensorBand), the flat index just past the last kept tie.
 *
 * Backends never test that index per element. A job is cut at every model's tieEnd into
 * element ranges (at most one cut per model), each of which keeps either all of its ties
 * (before tieEnd: lo ≤ |δ|) or none (after: lo⁺ ≤ |δ|, lo⁺ the next f32 above lo), so the CPU,
 * WebAssembly and WGSL kernels run their plain lo ≤ |δ| ≤ hi bands on each range unchanged.
 * Whole-tensor jobs get their bands (and l1 factors) here first, on the CPU, from the
 * decoded inputs. Model-scope thresholds (the papers' TIES) and row-wise trims keep their
 * ties, as the papers' code does.
 */
import { outputArray, type TaskArithmeticJob, type TensorBand, type TensorResult } from './backend';
import { addL1Sums, l1Factor, modelSparsifyOptions, sparsify } from './cpu/sparsify';
import { exactTopKBand } from './cpu/select';
import { f32View, taskVector } from './cpu/unpack';
import { jobRange } from './split-job';

type TrimFields = Pick<TaskArithmeticJob, 'sparsifier' | 'rowWise' | 'modelScopeThresholds'>;

/** The job's magnitude trim is mergekit's exactly-k one (per tensor, not row-wise). */
export function keepsExactlyK(job: TrimFields): boolean {
  return job.sparsifier === 'magnitude' && !job.rowWise && job.modelScopeThresholds === undefined;
}

/** The smallest f32 above a non-negative finite f32 x: |δ| ≥ it ⟺ |δ| > x for f32 |δ|. */
export function nextF32Above(x: number): number {
  const f = new Float32Array([x]);
  const bits = new Uint32Array(f.buffer);
  bits[0] = bits[0]! + 1;
  return f[0]!;
}

/** The band of elements [begin, end) of the tensor without an index test ('cut': tieEnd inside). */
function plainBand(band: TensorBand | null, begin: number, end: number): TensorBand | null | 'cut' {
  if (band === null || band.tieEnd === undefined || end <= band.tieEnd) {
    return band && { lo: band.lo, hi: band.hi };
  }
  if (begin >= band.tieEnd) return { lo: nextF32Above(band.lo), hi: band.hi };
  return 'cut';
}

/** Per model, the exactly-k band of a whole-tensor job (tieEnd as a tensor index). */
function wholeTensorBands(job: TaskArithmeticJob): (TensorBand | null)[] {
  const n = job.numel;
  const offset = job.elementOffset ?? 0;
  const base = f32View(job.base, n, `${job.tensorName} (base)`);
  const delta = new Float32Array(n);
  return job.models.map((raw, m) => {
    const density = job.densities[m] ?? 1;
    if (density >= 1) return null;
    const keep = Math.floor(density * n);
    if (keep <= 0) return { lo: Infinity, hi: -Infinity };
    taskVector(base, f32View(raw, n, `${job.tensorName} (model ${m})`), delta);
    const band = exactTopKBand(delta, 0, n, keep);
    if (!band) return { lo: Infinity, hi: -Infinity };
    return band.tieEnd === undefined ? band : { ...band, tieEnd: band.tieEnd + offset };
  });
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
  let bands = job.tensorBands;
  let l1 = job.l1Factors;
  if (!bands) {
    bands = wholeTensorBands(job);
    if (job.rescale === 'l1' && !l1) l1 = wholeTensorL1(job, bands);
  } else if (!bands.some((b) => b?.tieEnd !== undefined)) return undefined;
  const offset = job.elementOffset ?? 0;
  const cuts = new Set<number>();
  for (const b of bands) {
    const at = (b?.tieEnd ?? 0) - offset;
    if (at > 0 && at < job.numel) cuts.add(at);
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
