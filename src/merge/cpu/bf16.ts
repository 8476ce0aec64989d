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
 *   magnitude or Breadcrumbs band on the bf16 |δₜ|, or DARE's mask; l1 rescale: b(δ·b(b(Σ|δ|)/b(Σ|kept|))), skipped
 *   if either bf16 sum is < 1e-7),
 *   WDₜ = b(δₜ·wₜ); sum/count consensus: elected = b(Σ WDₜ) ≥ 0 ? +1 : −1 (count: Σ sign),
 *   mask = sign(WDₜ) == elected, mixed = b(Σ WDₜ·mask), div = b(Σ wₜ·mask); none: mixed =
 *   b(Σ WDₜ), div = b(Σ wₜ); div guarded as mergekit (divisor.ts); normalize: b(mixed/div); λ ≠ 1: b(mixed·b(λ));
 *   out = b(θ₀ + mixed). Linear: b(Σ b(wₜ·xₜ)), normalize: b(that / b(Σ wₜ)).
 *
 * Sums over models run in model order in f32 (torch's order for these dim-0 sums; checked
 * against its values in mergekit-exact.spec.ts). The trim and the l1 sums are over the whole
 * tensor's bf16 deltas: a whole-tensor job computes them itself; the executor streams a large
 * tensor by selecting them over its chunks first (tensor-statistics.ts, with bf16Delta,
 * bf16Kept below and sparsify.ts's addL1Sums), and each chunk's job carries them (tensorBands,
 * l1Factors), so chunked and whole runs give the same bits.
 */
import { bf16ToF32, f32ToBf16 } from '../../io';
import { outputArray, type LinearJob, type RawTensor, type TaskArithmeticJob } from '../backend';
import { elementUniform, nameHash, streamKey } from '../random';
import { bandKeeps, exactTensorBand } from './select';
import { F32Scratch } from './scratch';
import { addL1Sums } from './sparsify';
import { guardedDivisor } from './divisor';
import { f32View } from './unpack';

/** The bf16 value nearest (ties to even) to the f32 rounding of x. */
export function roundBf16(x: number): number {
  return bf16ToF32(f32ToBf16(x));
}

const b = roundBf16;
const f = Math.fround;

/**
 * One input cast to bf16, as mergekit's loader does with `dtype: bfloat16`, into `out` (BF16
 * inputs are decoded exactly, others rounded).
 */
export function bf16Input(
  raw: RawTensor,
  numel: number,
  what: string,
  out: Float32Array = new Float32Array(numel),
): Float32Array {
  const aligned = raw.bytes.byteOffset % 2 === 0 && raw.bytes.byteLength === numel * 2;
  if (raw.dtype === 'BF16' && aligned && LITTLE_ENDIAN) {
    // bf16 is the high half of an f32.
    const halves = new Uint16Array(raw.bytes.buffer, raw.bytes.byteOffset, numel);
    const words = new Uint32Array(out.buffer, out.byteOffset, numel);
    for (let i = 0; i < numel; i++) words[i] = halves[i]! << 16;
    return out;
  }
  const v = f32View(raw, numel, what);
  if (raw.dtype === 'BF16') out.set(v);
  else for (let i = 0; i < numel; i++) out[i] = b(v[i]!);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bf16Inputs(raws: TaskArithmeticJob['models'], numel: number, name: string) {
  return raws.map((raw, m) => bf16Input(raw, numel, `${name} (model ${m})`));
}

/** δ = b(x − θ₀) of bf16-cast inputs (every element a bf16 value). */
export function bf16Delta(
  base: Float32Array,
  x: Float32Array,
  out: Float32Array = new Float32Array(base.length),
): Float32Array {
  for (let i = 0; i < base.length; i++) out[i] = b(x[i]! - base[i]!);
  return out;
}

/** Task-arithmetic jobs the bf16 path computes: mergekit's own options only. */
export function bf16Computable(
  job: Pick<
    TaskArithmeticJob,
    'sparsifier' | 'rescale' | 'modelScopeThresholds' | 'rowWise' | 'zeroSign' | 'deltaScale'
  >,
): boolean {
  return (
    ['none', 'magnitude', 'magnitude_outliers', 'random'].includes(job.sparsifier) &&
    job.rescale !== 'inverse_density' &&
    job.modelScopeThresholds === undefined &&
    !job.rowWise &&
    job.zeroSign === 'positive' &&
    job.deltaScale === 1
  );
}

type Bf16KeepJob = Pick<
  TaskArithmeticJob,
  'sparsifier' | 'densities' | 'gammas' | 'seed' | 'tensorName' | 'elementOffset' | 'tensorBands'
>;

/**
 * Model m's δ sparsified (kept entries; the others 0), not rescaled. The magnitude trim keeps
 * exactly k of the bf16 |δ|: with the job's tensorBands (a chunk of a streamed tensor: the
 * executor selected them over the whole tensor's bf16 deltas, tensor-statistics.ts) or, on a
 * whole tensor, the band this tensor's own selection gives. DARE's mask is element-wise.
 */
export function bf16Kept(
  job: Bf16KeepJob,
  delta: Float32Array,
  m: number,
  out: Float32Array = new Float32Array(delta.length),
): Float32Array {
  const n = delta.length;
  const density = job.densities[m] ?? 1;
  if (job.sparsifier === 'none' || density >= 1) {
    out.set(delta);
    return out;
  }
  out.fill(0);
  const offset = job.elementOffset ?? 0;
  if (job.sparsifier === 'magnitude' || job.sparsifier === 'magnitude_outliers') {
    // A streamed band of null keeps every δ (density ≥ 1, returned above).
    const gamma = job.sparsifier === 'magnitude' ? 0 : (job.gammas[m] ?? 0);
    const band = job.tensorBands
      ? job.tensorBands[m]
      : exactTensorBand(delta, 0, n, job.sparsifier, density, gamma);
    if (band)
      for (let i = 0; i < n; i++) {
        if (bandKeeps(Math.abs(delta[i]!), offset + i, band)) out[i] = delta[i]!;
      }
  } else {
    const key = streamKey(job.seed, m, nameHash(job.tensorName));
    for (let i = 0; i < n; i++) if (elementUniform(key, offset + i) < density) out[i] = delta[i]!;
  }
  return out;
}

/**
 * The l1 sums Σ|δ| and Σ|kept| of the bf16 deltas are sparsify.ts's addL1Sums: running double
 * sums in element order (a streamed tensor's sums are the whole tensor's, bit for bit). Not f32:
 * torch's f32 sum is accurate to a few ulps (its bf16 sums were the exact sums rounded on 16 M
 * and 64 M elements), while a running f32 sum drifts: on 45 M N(0, 0.01²) bf16 deltas at
 * density 0.5 it made the factor 1.734 where torch's is 2.0. The double sum rounds as torch's
 * does unless the two straddle a bf16 rounding point.
 */

/**
 * mergekit's l1 rescale factor in bf16: b(b(Σ|δ|) / b(Σ|kept|)), 1 (rescale skipped) when
 * either bf16 sum is < 1e-7, its `rescaled_masked_tensor` eps (no bf16 value lies between 1e-7
 * and b(1e-7), so comparing in doubles is torch's bf16 comparison).
 */
export function bf16L1Factor(sums: { before: number; after: number }): number {
  const [org, now] = [b(sums.before), b(sums.after)];
  return org >= 1e-7 && now >= 1e-7 ? b(org / now) : 1;
}

/**
 * The task-arithmetic merge's per-call arrays (base, one model, one δ, then each model's WDₜ),
 * reused from call to call: a streamed tensor's chunks otherwise leave 2K + 2 chunk-sized
 * arrays of garbage each (on the 33 M-element bench tensor that held ≈ 100 MB more RSS).
 * The merge is synchronous, so one set per thread is enough.
 */
const scratch = new F32Scratch();
const [BASE, MODEL, DELTA, WD] = [0, 1, 2, 3];

/** δₜ of one model in bf16, sparsified and l1-rescaled (the job's l1Factors on a chunk). */
function sparsifiedDelta(
  job: TaskArithmeticJob,
  base: Float32Array,
  x: Float32Array,
  m: number,
  out: Float32Array,
) {
  const density = job.densities[m] ?? 1;
  if (job.sparsifier === 'none' || density >= 1) return bf16Delta(base, x, out);
  const delta = bf16Delta(base, x, scratch.get(DELTA, base.length));
  const kept = bf16Kept(job, delta, m, out);
  if (job.rescale === 'l1') {
    let factor = job.l1Factors?.[m];
    if (factor === undefined) {
      const sums = { before: 0, after: 0 };
      addL1Sums(delta, kept, sums);
      factor = bf16L1Factor(sums);
    }
    // Factor 1 (not rescaled) leaves every bf16 value as it is.
    if (factor !== 1) for (let i = 0; i < kept.length; i++) kept[i] = b(kept[i]! * factor);
  }
  return kept;
}

export function mergeTaskArithmeticBf16(job: TaskArithmeticJob): Float32Array {
  const n = job.numel;
  const base = bf16Input(job.base, n, `${job.tensorName} (base)`, scratch.get(BASE, n));
  const weights = job.models.map((_, m) => b(job.weights[m] ?? 1));
  const wd = job.models.map((raw, m) => {
    const what = `${job.tensorName} (model ${m})`;
    const x = bf16Input(raw, n, what, scratch.get(MODEL, n));
    const kept = sparsifiedDelta(job, base, x, m, scratch.get(WD + m, n));
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
    if (job.normalize) mixed = b(mixed / guardedDivisor(div, elected !== 0));
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
