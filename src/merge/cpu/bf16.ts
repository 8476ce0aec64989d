/**
 * mergekit's `dtype: bfloat16`: the merge computed as torch computes it in bf16. mergekit
 * casts every input to the compute dtype when it loads it, builds the weights as a tensor of
 * that dtype, and runs each torch op in it: torch's CPU bf16 kernels compute an op in f32 and
 * round the result to bf16 (round to nearest even), reductions (`sum(dim=0)`) accumulate in
 * f32 and round once, and a Python scalar operand (λ) is cast to bf16 first (torch 1.13, the
 * reference's version; keeping it f32 put 2 of 16 elements of the reference off by one bf16
 * ulp). So every step below is b(f32 op): b = roundBf16 (of the f32 result; double → f32 →
 * bf16 is what torch's float arithmetic then its bf16 store do).
 *
 *   θ₀ = b(base), xₜ = b(θₜ), wₜ = b(weightₜ), δₜ = b(xₜ − θ₀), δₜ sparsified (exactly-k
 *   magnitude on the bf16 |δₜ|, or DARE's mask; l1 rescale: b(δ·b(b(Σ|δ|)/b(Σ|kept|)))),
 *   WDₜ = b(δₜ·wₜ); sum/count consensus: elected = b(Σ WDₜ) ≥ 0 ? +1 : −1 (count: Σ sign),
 *   mask = sign(WDₜ) == elected, mixed = b(Σ WDₜ·mask), div = b(Σ wₜ·mask); none: mixed =
 *   b(Σ WDₜ), div = b(Σ wₜ); |div| < 1e-8 → 1; normalize: b(mixed/div); λ ≠ 1: b(mixed·b(λ));
 *   out = b(θ₀ + mixed). Linear: b(Σ b(wₜ·xₜ)), normalize: b(that / b(Σ wₜ)).
 *
 * Sums over models run in model order in f32 (torch's order for these dim-0 sums; checked
 * against its values in mergekit-exact.spec.ts). Whole tensors only: the trims and the l1
 * sums need the tensor's bf16 deltas (the executor does not stream these jobs).
 */
import { bf16ToF32, f32ToBf16 } from '../../io';
import { outputArray, type LinearJob, type TaskArithmeticJob } from '../backend';
import { elementUniform, nameHash, streamKey } from '../random';
import { bandKeeps, exactTopKBand } from './select';
import { f32View } from './unpack';

/** The bf16 value nearest (ties to even) to the f32 rounding of x. */
export function roundBf16(x: number): number {
  return bf16ToF32(f32ToBf16(x));
}

const b = roundBf16;
const f = Math.fround;

/** The inputs cast to bf16, as mergekit's loader does with `dtype: bfloat16`. */
function bf16Inputs(raws: TaskArithmeticJob['models'], numel: number, name: string) {
  return raws.map((raw, m) => {
    const v = f32View(raw, numel, `${name} (model ${m})`);
    return raw.dtype === 'BF16' ? v : v.map(b);
  });
}

/**
 * A bf16-compute job that needs its whole tensor: its trim and l1 sums are over the tensor's
 * bf16 deltas, which the executor's streamed statistics (f32 deltas) do not give.
 */
export function bf16NeedsWholeTensor(job: Pick<TaskArithmeticJob, 'sparsifier' | 'rescale'>) {
  return job.sparsifier === 'magnitude' || job.rescale === 'l1';
}

/** Task-arithmetic jobs the bf16 path computes: mergekit's own options only. */
export function bf16Computable(
  job: Pick<
    TaskArithmeticJob,
    | 'sparsifier'
    | 'rescale'
    | 'modelScopeThresholds'
    | 'rowWise'
    | 'zeroSign'
    | 'deltaScale'
    | 'tensorBands'
    | 'l1Factors'
  >,
): boolean {
  return (
    ['none', 'magnitude', 'random'].includes(job.sparsifier) &&
    job.rescale !== 'inverse_density' &&
    job.modelScopeThresholds === undefined &&
    !job.rowWise &&
    job.zeroSign === 'positive' &&
    job.deltaScale === 1 &&
    job.tensorBands === undefined &&
    job.l1Factors === undefined
  );
}

/** δₜ of one model in bf16, sparsified in place (kept entries; the others 0). */
function sparsifiedDelta(job: TaskArithmeticJob, base: Float32Array, x: Float32Array, m: number) {
  const n = job.numel;
  const delta = new Float32Array(n);
  for (let i = 0; i < n; i++) delta[i] = b(x[i]! - base[i]!);
  const density = job.densities[m] ?? 1;
  if (job.sparsifier === 'none' || density >= 1) return delta;
  const kept = new Float32Array(n);
  if (job.sparsifier === 'magnitude') {
    const band = exactTopKBand(delta, 0, n, Math.floor(density * n));
    if (band)
      for (let i = 0; i < n; i++) if (bandKeeps(Math.abs(delta[i]!), i, band)) kept[i] = delta[i]!;
  } else {
    const key = streamKey(job.seed, m, nameHash(job.tensorName));
    const offset = job.elementOffset ?? 0;
    for (let i = 0; i < n; i++) if (elementUniform(key, offset + i) < density) kept[i] = delta[i]!;
  }
  if (job.rescale === 'l1') {
    let before = 0;
    let after = 0;
    for (let i = 0; i < n; i++) {
      before = f(before + Math.abs(delta[i]!));
      after = f(after + Math.abs(kept[i]!));
    }
    const [org, now] = [b(before), b(after)];
    if (org >= 1e-8 && now >= 1e-8) {
      const factor = b(org / now);
      for (let i = 0; i < n; i++) kept[i] = b(kept[i]! * factor);
    }
  }
  return kept;
}

export function mergeTaskArithmeticBf16(job: TaskArithmeticJob): Float32Array {
  const n = job.numel;
  const base = bf16Inputs([job.base], n, `${job.tensorName} (base)`)[0]!;
  const xs = bf16Inputs(job.models, n, job.tensorName);
  const weights = job.models.map((_, m) => b(job.weights[m] ?? 1));
  const wd = xs.map((x, m) => {
    const kept = sparsifiedDelta(job, base, x, m);
    const w = weights[m]!;
    for (let i = 0; i < n; i++) kept[i] = b(kept[i]! * w);
    return kept;
  });
  const lambda = b(job.lambda);
  const out = outputArray(job);
  for (let i = 0; i < n; i++) {
    let elected = 0;
    if (job.consensus !== 'none') {
      let s = 0;
      for (const v of wd) s = job.consensus === 'sum' ? f(s + v[i]!) : s + Math.sign(v[i]!);
      elected = b(s) >= 0 ? 1 : -1;
    }
    let mixed = 0;
    let div = 0;
    for (let m = 0; m < wd.length; m++) {
      const v = wd[m]![i]!;
      if (elected !== 0 && Math.sign(v) !== elected) continue;
      mixed = f(mixed + v);
      div = f(div + weights[m]!);
    }
    mixed = b(mixed);
    div = b(div);
    if (Math.abs(div) < 1e-8) div = 1;
    if (job.normalize) mixed = b(mixed / div);
    if (lambda !== 1) mixed = b(mixed * lambda);
    out[i] = b(base[i]! + mixed);
  }
  return out;
}

export function mergeLinearBf16(job: LinearJob): Float32Array {
  const xs = bf16Inputs(job.models, job.numel, job.tensorName);
  const weights = xs.map((_, m) => b(job.weights[m] ?? 1));
  let div = 0;
  for (const w of weights) div = f(div + w);
  div = b(div);
  const out = outputArray(job);
  for (let i = 0; i < job.numel; i++) {
    let acc = 0;
    for (let m = 0; m < xs.length; m++) acc = f(acc + b(weights[m]! * xs[m]![i]!));
    out[i] = job.normalize ? b(b(acc) / div) : b(acc);
  }
  return out;
}
