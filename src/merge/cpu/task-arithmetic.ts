/**
 * The generalized task-arithmetic engine (TA, TIES, DARE(-TIES), Breadcrumbs(-TIES), DELLA)
 * with f32 semantics: every elementwise step is rounded to f32 (Float32Array stores and
 * Math.fround) and sums over models run in model order, as the WGSL kernel does. Only the
 * whole-tensor reductions of rescale (L1 norms) are summed in doubles; the GPU's f32 tree
 * sums differ from them by ~1e-7 relative.
 *
 *   δₜ = sparsify(θₜ − θ₀); WDₜ = wₜ·δₜ
 *   none: mixed = Σ WDₜ, div = Σ wₜ      sum/count: M = sign(WDₜ) == elected, mixed = Σ WDₜ·M,
 *   div = Σ wₜ·M; normalize: mixed /= div (mergekit's guard, divisor.ts: a consensus div of 0
 *   → 1, a plain one with |div| < 1e-8 → 1); mixed *= λ·deltaScale (two f32 multiplies: λ
 *   first); out = θ₀ + mixed.
 */
import {
  outputArray,
  type TaskArithmeticJob,
  type TensorBand,
  type TensorResult,
} from '../backend';
import { joinTieCut, tieCut } from '../exact-k';
import { mergeTaskArithmeticBf16 } from './bf16';
import { combineWeighted } from './combine-weighted';
import { agreeingEntries } from '../ties-selection';
import { signSumOf } from './consensus';
import {
  elementwiseInputs,
  isElementwiseJob,
  mergeElementwiseRange,
  modelScopeBands,
  type KeepBands,
} from './elementwise-ta';
import type { F32Scratch } from './scratch';
import { modelSparsifyOptions, sparsify } from './sparsify';
import { f32View, rowLength, taskVector, unpackToF32 } from './unpack';
import { mergeRandomDrop } from './random-drop';
import { mergeElementwiseWasm } from './wasm/elementwise';
import { sharedKernels } from './wasm/kernels';

const f = Math.fround;

/**
 * Base (f32) and the weighted sparsified deltas WDₜ of a task-arithmetic job. With `scratch`
 * the deltas live in its slots (valid until its next use), not in fresh arrays.
 */
export function weightedDeltas(
  job: TaskArithmeticJob,
  scratch?: F32Scratch,
): { base: Float32Array; wd: Float32Array[] } {
  const base = unpackToF32(job.base, job.numel, `${job.tensorName} (base)`);
  const rowLen = rowLength(job.shape, job.numel);
  const wd = job.models.map((raw, m) => {
    const tuned = f32View(raw, job.numel, `${job.tensorName} (model ${m})`);
    const delta = taskVector(base, tuned, scratch?.get(0, job.numel));
    const kept = sparsify(
      delta,
      {
        ...modelSparsifyOptions(job, m),
        rescale: job.rescale,
        rowLen,
        threshold: job.modelScopeThresholds?.[m],
        ...(job.tensorBands ? { band: job.tensorBands[m] ?? null } : {}),
        ...(job.l1Factors ? { l1Factor: job.l1Factors[m] ?? 1 } : {}),
        elementOffset: job.elementOffset ?? 0,
      },
      scratch?.get(1 + m, job.numel),
    );
    const w = f(job.weights[m] ?? 1);
    for (let i = 0; i < kept.length; i++) kept[i] = w * (kept[i] as number);
    return kept;
  });
  return { base, wd };
}

export function mergeTaskArithmetic(job: TaskArithmeticJob): Float32Array {
  return taskArithmeticResult(job).merged;
}

/**
 * The merge, with the non-finite count when the SIMD path counted it on the way. `scratch`:
 * reused storage for the per-model deltas (see weightedDeltas).
 */
export function taskArithmeticResult(job: TaskArithmeticJob, scratch?: F32Scratch): TensorResult {
  if (job.computeDtype === 'BF16') return { merged: mergeTaskArithmeticBf16(job) };
  // mergekit's exactly-k trims: ranges whose bands need no per-element index test.
  const cut = tieCut(job);
  if (cut)
    return joinTieCut(
      cut,
      cut.parts.map((p) => taskArithmeticResult(p, scratch)),
    );
  if (job.electUnweighted) return { merged: unweightedElectionMerge(job) };
  if (isElementwiseJob(job)) return mergeElementwise(job, modelScopeBands(job));
  if (hasPerTensorBands(job)) return mergeElementwise(job, perTensorBands(job));
  if (job.sparsifier === 'random') {
    const simd = mergeRandomDrop(job, (part) => {
      const { base, wd } = weightedDeltas(part);
      return combineWeighted(part, base, wd);
    });
    if (simd) return simd;
  }
  const { base, wd } = weightedDeltas(job, scratch);
  return { merged: combineWeighted(job, base, wd) };
}

/** The SIMD kernels where WebAssembly SIMD exists (same bits), else the TS tiled loop. */
function mergeElementwise(job: TaskArithmeticJob, bands: KeepBands): TensorResult {
  const inputs = elementwiseInputs(job);
  const out = outputArray(job);
  const ts = (from: number, to: number) => mergeElementwiseRange(job, bands, inputs, out, from, to);
  const kernels = sharedKernels();
  if (!kernels) {
    ts(0, job.numel);
    return { merged: out };
  }
  const { nonFinite } = mergeElementwiseWasm(kernels, job, bands, inputs, out, ts);
  return { merged: out, nonFinite };
}

/** Σ sign(elected statistic) over this tensor, for the official-TIES majority-sign pre-pass. */
export function taskArithmeticSignSum(job: TaskArithmeticJob, scratch?: F32Scratch): number {
  if (job.consensus === 'none') return 0;
  const cut = tieCut(job);
  if (cut) return cut.parts.reduce((sum, p) => sum + taskArithmeticSignSum(p, scratch), 0);
  const electing = job.electUnweighted ? unweighted(job) : job;
  return signSumOf(weightedDeltas(electing, scratch).wd, job.numel, job.consensus);
}

/** The job with every weight 1: its "weighted" deltas are the sparsified δₜ themselves. */
const unweighted = (job: TaskArithmeticJob): TaskArithmeticJob => ({
  ...job,
  weights: job.models.map(() => 1),
});

/**
 * TIES electing on the unweighted sparsified deltas (`elect: unweighted`): the agreeing
 * entries of each δ̂ₜ by ties-selection.ts's selection, then θ₀ + λ·scale·Σₜ wₜ·selectedₜ
 * through the same combine as every other job (normalize is refused by the planner).
 */
function unweightedElectionMerge(job: TaskArithmeticJob): Float32Array {
  if (job.consensus === 'none') throw new Error(`${job.tensorName}: elect needs a sign election`);
  const { base, wd: trimmed } = weightedDeltas(unweighted(job));
  const selected = agreeingEntries(trimmed, job.consensus, job.zeroSign, job.majoritySign);
  const weighted = selected.map((kept, m) => {
    const w = f(job.weights[m] ?? 1);
    return kept.map((x) => w * x); // stored as f32, as weightedDeltas rounds wₜ·δₜ
  });
  return combineWeighted({ ...job, consensus: 'none' }, base, weighted);
}

/**
 * Per-tensor magnitude trims and Breadcrumbs bands (not row-wise, no rescale) keep
 * lo ≤ |δ| ≤ hi with one band per model and tensor: once the bands are known (one model at a
 * time, in one scratch array), the merge is element-wise. Memory: the inputs, one scratch
 * tensor and the output, instead of one sparsified copy per model.
 */
function hasPerTensorBands(job: TaskArithmeticJob): boolean {
  const banded =
    (job.sparsifier === 'magnitude' && job.modelScopeThresholds === undefined) ||
    job.sparsifier === 'magnitude_outliers';
  return banded && !job.rowWise && job.rescale === 'none';
}

/**
 * The keep band of every model. Every per-tensor trim is one of mergekit's exactly-k ones, so
 * tieCut (exact-k.ts) has given the job its bands (selected over the whole tensor) by now.
 */
function perTensorBands(job: TaskArithmeticJob): KeepBands {
  if (!job.tensorBands) throw new Error(`${job.tensorName}: per-tensor bands not selected`);
  return givenBands(job.tensorBands, job.models.length);
}

/** A streamed tensor's bands, computed by the executor over the whole tensor. */
function givenBands(given: (TensorBand | null)[], models: number): KeepBands {
  const bands: KeepBands = {
    lo: new Float64Array(models),
    hi: new Float64Array(models),
    trimmed: new Uint8Array(models),
  };
  for (let m = 0; m < models; m++) {
    const band = given[m] ?? null;
    if (!band) continue;
    // Index-dependent ties never get here: tieCut has split the job into plain ranges.
    if (band.tieEnd !== undefined || band.loTieBegin !== undefined || band.hiTieEnd !== undefined)
      throw new Error('givenBands: a band with a tie cut');
    bands.trimmed[m] = 1;
    bands.lo[m] = band.lo;
    bands.hi[m] = band.hi;
  }
  return bands;
}
