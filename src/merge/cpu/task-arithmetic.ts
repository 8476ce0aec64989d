/**
 * The generalized task-arithmetic engine (TA, TIES, DARE(-TIES), Breadcrumbs(-TIES), DELLA)
 * with f32 semantics: every elementwise step is rounded to f32 (Float32Array stores and
 * Math.fround) and sums over models run in model order, as the WGSL kernel does. Only the
 * whole-tensor reductions of rescale (L1 norms) are summed in doubles; the GPU's f32 tree
 * sums differ from them by ~1e-7 relative.
 *
 *   δₜ = sparsify(θₜ − θ₀); WDₜ = wₜ·δₜ
 *   none: mixed = Σ WDₜ, div = Σ wₜ      sum/count: M = sign(WDₜ) == elected, mixed = Σ WDₜ·M,
 *   div = Σ wₜ·M; normalize: mixed /= div (|div| < 1e-8 → 1); mixed *= λ·deltaScale (two f32
 *   multiplies: λ first); out = θ₀ + mixed.
 */
import type { TaskArithmeticJob } from '../backend';
import { electedSign, electionSum, signSumOf } from './consensus';
import { isElementwiseJob, mergeElementwiseTiled } from './elementwise-ta';
import { sparsify } from './sparsify';
import { f32View, rowLength, taskVector, unpackToF32 } from './unpack';

const f = Math.fround;

/** Base (f32) and the weighted sparsified deltas WDₜ of a task-arithmetic job. */
export function weightedDeltas(job: TaskArithmeticJob): { base: Float32Array; wd: Float32Array[] } {
  const base = unpackToF32(job.base, job.numel, `${job.tensorName} (base)`);
  const rowLen = rowLength(job.shape, job.numel);
  const wd = job.models.map((raw, m) => {
    const delta = taskVector(base, f32View(raw, job.numel, `${job.tensorName} (model ${m})`));
    const kept = sparsify(delta, {
      sparsifier: job.sparsifier,
      density: job.densities[m] ?? 1,
      gamma: job.gammas[m] ?? 0,
      epsilon: job.epsilons[m] ?? 0,
      rescale: job.rescale,
      rowWise: job.rowWise,
      rowLen,
      seed: job.seed,
      modelIndex: m,
      tensorName: job.tensorName,
      threshold: job.modelScopeThresholds?.[m],
    });
    const w = f(job.weights[m] ?? 1);
    for (let i = 0; i < kept.length; i++) kept[i] = w * (kept[i] as number);
    return kept;
  });
  return { base, wd };
}

export function mergeTaskArithmetic(job: TaskArithmeticJob): Float32Array {
  if (isElementwiseJob(job)) return mergeElementwiseTiled(job);
  const { base, wd } = weightedDeltas(job);
  const weights = job.models.map((_, m) => f(job.weights[m] ?? 1));
  const out = new Float32Array(job.numel);
  const lambda = f(job.lambda);
  const scale = f(job.deltaScale);
  for (let i = 0; i < job.numel; i++) {
    let mixed = 0;
    let div = 0;
    if (job.consensus === 'none') {
      for (let t = 0; t < wd.length; t++) {
        mixed = f(mixed + (wd[t]![i] as number));
        div = f(div + (weights[t] as number));
      }
    } else {
      const sign = electedSign(electionSum(wd, i, job.consensus), job.zeroSign, job.majoritySign);
      for (let t = 0; t < wd.length; t++) {
        const v = wd[t]![i] as number;
        if (Math.sign(v) === sign) {
          mixed = f(mixed + v);
          div = f(div + (weights[t] as number));
        }
      }
    }
    if (job.normalize) mixed = f(mixed / (Math.abs(div) < 1e-8 ? 1 : div));
    mixed = f(f(mixed * lambda) * scale);
    out[i] = (base[i] as number) + mixed;
  }
  return out;
}

/** Σ sign(elected statistic) over this tensor, for the official-TIES majority-sign pre-pass. */
export function taskArithmeticSignSum(job: TaskArithmeticJob): number {
  if (job.consensus === 'none') return 0;
  return signSumOf(weightedDeltas(job).wd, job.numel, job.consensus);
}
