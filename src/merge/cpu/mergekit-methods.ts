/**
 * mergekit's newer methods with mergekit's semantics (mergekit/merge_methods/*.py, read from
 * its source), per tensor in float64, rounded once to f32. For methods without a base the
 * "task vectors" are the models themselves (θ − 0).
 *
 * - multislerp: barycentric interpolation on the sphere: weighted mean of the unit vectors,
 *   tangent-space average, exponential map back, scaled by Σ wᵢ‖vᵢ‖ (eps 1e-8).
 * - nearswap: w = clamp(t/max(|θ₀ − θ₁|, 1e-6), 0, 1); w·θ₁ + (1 − w)·θ₀.
 * - passthrough: the one model, times its `scale` when given.
 * - ram / ramplus_tl: see ram() below.
 *
 * karcher, nuslerp, sce and arcee_fusion have their own files (karcher.ts, nuslerp.ts, sce.ts,
 * arcee-fusion.ts).
 */
import type { TensorMethodJob } from '../backend';
import type { MethodInputs } from './svd-merges';
import type { StreamedMethod } from './streamed-methods';

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);

export class MergekitMethodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergekitMethodError';
  }
}

function toF32(values: ArrayLike<number>, base?: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = (base ? base[i]! : 0) + values[i]!;
  return out;
}

/** multislerp's weights (normalised unless normalize_weights: false). */
function multislerpWeights(job: Pick<TensorMethodJob, 'global' | 'perModel'>, models: number) {
  const weights = Array.from({ length: models }, (_, m) => num(job.perModel[m]?.weight, 1));
  if (job.global.normalize_weights === false) return weights;
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

/**
 * multislerp in four reads and the merge read, each sum in element order as the whole-tensor
 * loops had them: ‖τₘ‖; ‖mean‖ of mean = Σ cₘτₘ; the dots of the unit vectors with the
 * normalised mean; ‖tangent‖ (+ eps). Elements of mean and tangent are rebuilt per chunk.
 */
const MS_NORMS = 0;
const MS_MEAN = 1;
const MS_DOTS = 2;
const MS_TANGENT = 3;

type MsJob = Pick<TensorMethodJob, 'global' | 'perModel' | 'tensorName' | 'hasBase'>;

/** Per-model factors of one call, hoisted out of the element loops. */
function multislerpFactors(job: MsJob, models: number, stats: number[][]) {
  const eps = num(job.global.eps, 1e-8);
  const weights = multislerpWeights(job, models);
  const norms = stats[MS_NORMS] ?? [];
  const inv = weights.map((_, m) => 1 / (norms[m]! + eps));
  const c = weights.map((w, m) => w / (norms[m]! + eps));
  return { eps, weights, inv, c, dots: stats[MS_DOTS] ?? [] };
}
type MsFactors = ReturnType<typeof multislerpFactors>;

/** Element i of Σₘ wₘ/(‖τₘ‖ + eps)·τₘ, summed in model order as the whole-tensor loop did. */
function multislerpMean(f: MsFactors, taus: Float32Array[], i: number) {
  let mean = 0;
  for (let m = 0; m < taus.length; m++) mean = mean + f.c[m]! * taus[m]![i]!;
  return mean;
}

/** Element i of the tangent Σₘ wₘ·(τₘ/(‖τₘ‖ + eps) − dotₘ·mean), mean normalised. */
function multislerpTangent(f: MsFactors, taus: Float32Array[], i: number, mean: number) {
  let tangent = 0;
  for (let m = 0; m < taus.length; m++) {
    tangent = tangent + f.weights[m]! * (taus[m]![i]! * f.inv[m]! - f.dots[m]! * mean);
  }
  return tangent;
}

/** The mean's norm is below eps: two models lerp (mergekit), more fail naming the tensor. */
const multislerpLerps = (job: MsJob, stats: number[][]) =>
  stats[MS_MEAN]![0]! < num(job.global.eps, 1e-8);

export const multislerpMethod: StreamedMethod = {
  passes: (_job, models) => (models === 1 ? 0 : 4),
  init: (_job, pass, models) =>
    pass === MS_MEAN || pass === MS_TANGENT ? [0] : new Array<number>(models).fill(0),
  add(job, pass, { taus }, stats) {
    const acc = stats[pass]!;
    const d = taus[0]!.length;
    if (pass === MS_NORMS) {
      taus.forEach((tau, m) => {
        let s = acc[m]!;
        for (let i = 0; i < d; i++) s += tau[i]! * tau[i]!;
        acc[m] = s;
      });
      return;
    }
    if (pass > MS_MEAN && multislerpLerps(job, stats)) return;
    const f = multislerpFactors(job, taus.length, stats);
    const meanNorm = stats[MS_MEAN]?.[0] ?? 1;
    if (pass === MS_DOTS) {
      // Model-outer as the whole-tensor loop: one dot at a time, over the normalised mean.
      const mean = new Float64Array(d);
      for (let i = 0; i < d; i++) mean[i] = multislerpMean(f, taus, i) / meanNorm;
      taus.forEach((tau, m) => {
        let dot = acc[m]!;
        for (let i = 0; i < d; i++) dot += tau[i]! * f.inv[m]! * mean[i]!;
        acc[m] = dot;
      });
      return;
    }
    let s0 = acc[0]!;
    for (let i = 0; i < d; i++) {
      const mean = multislerpMean(f, taus, i);
      const v = pass === MS_MEAN ? mean : multislerpTangent(f, taus, i, mean / meanNorm);
      s0 += v * v;
    }
    acc[0] = s0;
  },
  close(job, pass, stats) {
    const acc = stats[pass]!;
    if (pass === MS_NORMS || pass === MS_MEAN)
      for (let i = 0; i < acc.length; i++) acc[i] = Math.sqrt(acc[i]!);
    if (pass === MS_MEAN && multislerpLerps(job, stats) && stats[MS_NORMS]!.length !== 2) {
      throw new MergekitMethodError(
        `${job.tensorName}: multislerp: the weighted sum of the unit vectors is zero (antipodal models with balancing weights); change the weights`,
      );
    }
    if (pass === MS_TANGENT) acc[0] = Math.sqrt(acc[0]!) + num(job.global.eps, 1e-8);
  },
  merge(job, { base, taus }, stats) {
    const withBase = job.hasBase ? base : undefined;
    if (taus.length === 1) return toF32(taus[0]!, withBase);
    const f = multislerpFactors(job, taus.length, stats);
    const { weights } = f;
    const d = taus[0]!.length;
    const out = new Float64Array(d);
    if (multislerpLerps(job, stats)) {
      for (let i = 0; i < d; i++) out[i] = taus[0]![i]! * weights[0]! + taus[1]![i]! * weights[1]!;
      return toF32(out, withBase);
    }
    const meanNorm = stats[MS_MEAN]![0]!;
    const tn = stats[MS_TANGENT]![0]!;
    const scale = stats[MS_NORMS]!.reduce((s, n, m) => s + n * weights[m]!, 0);
    for (let i = 0; i < d; i++) {
      const mean = multislerpMean(f, taus, i) / meanNorm;
      const tangent = multislerpTangent(f, taus, i, mean);
      out[i] = (mean * Math.cos(tn) + tangent * (Math.sin(tn) / tn)) * scale;
    }
    return toF32(out, withBase);
  },
};

export function nearswap(job: TensorMethodJob, { base, models }: MethodInputs): Float32Array {
  const t = num(job.global.t, NaN);
  const other = models[0]!;
  const out = new Float32Array(job.numel);
  for (let i = 0; i < out.length; i++) {
    const b = other[i]!;
    const w = Math.min(1, Math.max(0, t / Math.max(Math.abs(base[i]! - b), 1e-6)));
    out[i] = w * b + (1 - w) * base[i]!;
  }
  return out;
}

export function passthrough(job: TensorMethodJob, { taus }: MethodInputs): Float32Array {
  const scale = job.perModel[0]?.scale;
  const model = taus[0]!;
  return typeof scale === 'number' ? model.map((v) => v * scale) : Float32Array.from(model);
}

/** How many models change each element (|τₜ| > ε). */
function contributors(taus: Float32Array[], eps: number): Uint32Array {
  const counts = new Uint32Array(taus[0]!.length);
  for (const tau of taus) {
    for (let i = 0; i < counts.length; i++) if (Math.abs(tau[i]!) > eps) counts[i] = counts[i]! + 1;
  }
  return counts;
}

const ramPlus = (job: { method: string }) => job.method === 'ramplus_tl';
const ramEps = (job: { global: TensorMethodJob['global'] }) => num(job.global.epsilon, 1e-5);

/**
 * RAM / RAM+ (tensor-local), mergekit `ram.py`: an entry of τₜ contributes when |τₜ| > ε;
 * entries only one model changes are taken whole (× λₜ for RAM+), entries several models
 * change are averaged over the contributors. RAM+: λₜ = 1 + r·clamp(ρₜ, 0, α) with
 * ρₜ = (entries task t shares with others) / max(entries only task t changes, ε), per tensor.
 */
export const ramMethod: StreamedMethod = {
  // RAM+'s λₜ need the whole tensor's shared / unique counts: one read ([shared, unique]ₜ).
  passes: (job) => (ramPlus(job) ? 1 : 0),
  init: (_job, _pass, models) => new Array<number>(2 * models).fill(0),
  add(job, pass, { taus }, stats) {
    const eps = ramEps(job);
    const counts = contributors(taus, eps);
    const acc = stats[pass]!;
    taus.forEach((tau, t) => {
      for (let i = 0; i < counts.length; i++) {
        if (!(Math.abs(tau[i]!) > eps)) continue;
        if (counts[i]! > 1) acc[2 * t]!++;
        else if (counts[i] === 1) acc[2 * t + 1]!++;
      }
    });
  },
  close(job, pass, stats) {
    const acc = stats[pass]!;
    stats[pass] = Array.from({ length: acc.length / 2 }, (_, t) => {
      const rho = acc[2 * t]! / Math.max(acc[2 * t + 1]!, ramEps(job));
      return 1 + num(job.global.r, 0.1) * Math.min(Math.max(rho, 0), num(job.global.alpha, 0.2));
    });
  },
  merge(job, { base, taus }, stats) {
    const eps = ramEps(job);
    const lambdas = ramPlus(job) ? stats[0]! : taus.map(() => 1);
    const counts = contributors(taus, eps);
    const out = new Float32Array(base.length);
    for (let i = 0; i < out.length; i++) {
      let merged = 0;
      const c = counts[i]!;
      taus.forEach((tau, t) => {
        const v = tau[i]!;
        if (!(Math.abs(v) > eps)) return;
        merged += c === 1 ? v * lambdas[t]! : v / c;
      });
      out[i] = base[i]! + merged;
    }
    return out;
  },
};

/** Element-wise with nothing from the whole tensor. */
const elementwise = (merge: StreamedMethod['merge']): StreamedMethod => ({
  passes: () => 0,
  merge,
});

export const nearswapMethod = elementwise((job, inputs) => nearswap(job, inputs));
export const passthroughMethod = elementwise((job, inputs) => passthrough(job, inputs));
