/**
 * mergekit's newer methods with mergekit's semantics (mergekit/merge_methods/*.py, read from
 * its source), per tensor in float64, rounded once to f32. For methods without a base the
 * "task vectors" are the models themselves (θ − 0).
 *
 * - nuslerp: t = w₁/(w₀ + w₁) (0.5 when |Σw| < 1e-6); slerp of the two models (of their
 *   task vectors when a base is given, then + θ₀) over the whole tensor (nuslerp_flatten,
 *   default), per row (last dim), or per column (nuslerp_row_wise); v̂ = v/max(‖v‖, 1e-7);
 *   |sin θ| < 1e-8 → lerp.
 * - multislerp: barycentric interpolation on the sphere: weighted mean of the unit vectors,
 *   tangent-space average, exponential map back, scaled by Σ wᵢ‖vᵢ‖ (eps 1e-8).
 * - karcher: the Riemannian mean of the unit vectors (equal weights, max_iter, tol) scaled
 *   by the mean norm.
 * - sce: optional top-k of the elements by the variance across models (select_topk), TIES
 *   sign mask (Σ ≥ 0 → +), weights mean(τ²)/Σ, weighted mean of the agreeing entries.
 * - nearswap: w = clamp(t/max(|θ₀ − θ₁|, 1e-6), 0, 1); w·θ₁ + (1 − w)·θ₀.
 * - arcee_fusion: importance |Δ|·KL(softmax(θ₁) ‖ softmax(θ₀)) per row; keep Δ where the
 *   importance ≥ median + 1.5·IQR (quantiles sorted[floor(q·(n − 1))]).
 * - passthrough: the one model, times its `scale` when given.
 * - ram / ramplus_tl: see ram() below.
 */
import type { TensorMethodJob } from '../backend';
import type { MethodInputs } from './svd-merges';
import { rowLength } from './unpack';
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

/** Index lists of nuslerp's vectors: the whole tensor, rows (last dim) or columns (dim 0). */
function segments(shape: number[], numel: number, mode: 'flat' | 'rows' | 'columns') {
  if (mode === 'flat' || shape.length < 2) return { count: 1, length: numel, stride: 1, step: 0 };
  if (mode === 'rows') {
    const length = rowLength(shape, numel);
    return { count: numel / length, length, stride: 1, step: length };
  }
  const length = shape[0]!;
  return { count: numel / length, length, stride: numel / length, step: 1 };
}

export function nuslerp(job: TensorMethodJob, { base, taus }: MethodInputs): Float32Array {
  const [w0, w1] = [0, 1].map((m) => num(job.perModel[m]?.weight, 1)) as [number, number];
  const t = Math.abs(w0 + w1) < 1e-6 ? 0.5 : w1 / (w0 + w1);
  const flatten = job.global.nuslerp_flatten !== false;
  const mode = flatten ? 'flat' : job.global.nuslerp_row_wise === true ? 'columns' : 'rows';
  const [v0, v1] = taus as [Float32Array, Float32Array];
  const seg = segments(job.shape, job.numel, mode);
  const out = new Float64Array(job.numel);
  for (let s = 0; s < seg.count; s++) {
    const at = (i: number) => s * seg.step + i * seg.stride;
    let n0 = 0;
    let n1 = 0;
    for (let i = 0; i < seg.length; i++) {
      n0 += v0[at(i)]! ** 2;
      n1 += v1[at(i)]! ** 2;
    }
    n0 = Math.max(Math.sqrt(n0), 1e-7);
    n1 = Math.max(Math.sqrt(n1), 1e-7);
    let cos = 0;
    for (let i = 0; i < seg.length; i++) cos += (v0[at(i)]! / n0) * (v1[at(i)]! / n1);
    const theta = Math.acos(Math.min(1, Math.max(-1, cos)));
    const sin = Math.sin(theta);
    const lerp = Math.abs(sin) < 1e-8;
    const c0 = lerp ? 1 - t : Math.sin((1 - t) * theta) / sin;
    const c1 = lerp ? t : Math.sin(t * theta) / sin;
    for (let i = 0; i < seg.length; i++) out[at(i)] = c0 * v0[at(i)]! + c1 * v1[at(i)]!;
  }
  return toF32(out, job.hasBase ? base : undefined);
}

const norm = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
};

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

export function karcher(job: TensorMethodJob, { taus }: MethodInputs): Float32Array {
  if (taus.length === 1) return Float32Array.from(taus[0]!);
  const maxIter = num(job.global.max_iter, 10);
  const tol = num(job.global.tol, 1e-5);
  const d = job.numel;
  const alphas = taus.map(() => 1 / taus.length);
  const norms = taus.map(norm);
  const valid = taus.map((_, i) => i).filter((i) => norms[i]! > tol);
  if (valid.length === 0) return new Float32Array(d);
  const alphaSum = valid.reduce((s, i) => s + alphas[i]!, 0);
  const weight = (i: number) => alphas[i]! / alphaSum;
  const unit = (i: number, e: number) => taus[i]![e]! / norms[i]!;
  let u = new Float64Array(d);
  for (const i of valid) for (let e = 0; e < d; e++) u[e] = u[e]! + weight(i) * unit(i, e);
  const normU = norm(u);
  if (normU < tol) u = Float64Array.from(taus[valid[0]!]!, (v) => v / norms[valid[0]!]!);
  else for (let e = 0; e < d; e++) u[e] = u[e]! / normU;
  for (let it = 0; it < maxIter; it++) {
    const step = new Float64Array(d);
    for (const i of valid) {
      let dot = 0;
      for (let e = 0; e < d; e++) dot += u[e]! * unit(i, e);
      dot = Math.min(1, Math.max(-1, dot));
      const theta = Math.acos(dot);
      if (theta < tol) continue;
      const c = (weight(i) * theta) / Math.sin(theta);
      for (let e = 0; e < d; e++) step[e] = step[e]! + c * (unit(i, e) - dot * u[e]!);
    }
    const normT = norm(step);
    if (normT < tol) break;
    for (let e = 0; e < d; e++) {
      u[e] = Math.cos(normT) * u[e]! + Math.sin(normT) * (step[e]! / normT);
    }
    const n = norm(u);
    if (n > tol) for (let e = 0; e < d; e++) u[e] = u[e]! / n;
  }
  const s = norms.reduce((acc, n, i) => acc + alphas[i]! * n, 0);
  return Float32Array.from(u, (v) => s * v);
}

/** SCE's mask: the k = int(nonzero·density) elements of largest variance across models. */
function varianceMask(taus: Float32Array[], density: number): Uint8Array {
  const d = taus[0]!.length;
  const mask = new Uint8Array(d);
  if (density <= 0) return mask;
  if (density >= 1) return mask.fill(1);
  const variance = new Float64Array(d);
  for (let e = 0; e < d; e++) {
    let mean = 0;
    for (const tau of taus) mean += tau[e]!;
    mean /= taus.length;
    let v = 0;
    for (const tau of taus) v += (tau[e]! - mean) ** 2;
    variance[e] = v / taus.length;
  }
  let nonzero = 0;
  for (const v of variance) if (v !== 0) nonzero++;
  const k = Math.trunc(nonzero * density);
  // Largest first; equal variances by index (torch.topk leaves that order unspecified).
  const order = Array.from({ length: d }, (_, i) => i).sort(
    (a, b) => variance[b]! - variance[a]! || a - b,
  );
  for (let i = 0; i < k; i++) mask[order[i]!] = 1;
  return mask;
}

/** SCE's weights mean(τₜ²)/Σ from the sums of squares (uniform when the sum < 1e-6). */
function sceWeights(squares: number[], numel: number): number[] {
  const meanSquares = squares.map((s) => s / Math.max(numel, 1));
  const total = meanSquares.reduce((x, y) => x + y, 0);
  return Math.abs(total) < 1e-6
    ? squares.map(() => 1 / squares.length)
    : meanSquares.map((w) => w / total);
}

function addSquares(vectors: ArrayLike<number>[], sums: number[]): void {
  vectors.forEach((v, m) => {
    let s = sums[m]!;
    for (let e = 0; e < v.length; e++) s += v[e]! * v[e]!;
    sums[m] = s;
  });
}

/** θ₀ + the weighted mean of the entries that agree with the TIES sign (Σ ≥ 0 → +). */
function sceCombine(base: Float32Array, vectors: ArrayLike<number>[], weights: number[]) {
  const out = new Float32Array(base.length);
  for (let e = 0; e < out.length; e++) {
    let sum = 0;
    for (const v of vectors) sum += v[e]!;
    const majority = sum >= 0 ? 1 : -1;
    let merged = 0;
    let divisor = 0;
    vectors.forEach((v, m) => {
      if (Math.sign(v[e]!) === majority) {
        merged += v[e]! * weights[m]!;
        divisor += weights[m]!;
      }
    });
    out[e] = base[e]! + merged / Math.max(divisor, 1e-6);
  }
  return out;
}

/**
 * SCE. Without a top-k (select_topk ≥ 1, the default) it streams: one read for Σ τₜ², then
 * the element-wise combine. A top-k ranks the variances of the whole tensor: whole tensor.
 */
export const sceMethod: StreamedMethod = {
  streams: (job) => num(job.global.select_topk, 1) >= 1,
  passes: (job) => (num(job.global.select_topk, 1) >= 1 ? 1 : 0),
  init: (_job, _pass, models) => new Array<number>(models).fill(0),
  add: (_job, pass, { taus }, stats) => addSquares(taus, stats[pass]!),
  close: (_job, pass, stats, numel) => (stats[pass] = sceWeights(stats[pass]!, numel)),
  merge(job, { base, taus }, stats) {
    const topk = num(job.global.select_topk, 1);
    if (topk >= 1) return sceCombine(base, taus, stats[0]!);
    const mask = varianceMask(taus, topk);
    const vectors = taus.map((t) => Float64Array.from(t, (x, e) => (mask[e] ? x : 0)));
    const squares = new Array<number>(vectors.length).fill(0);
    addSquares(vectors, squares);
    return sceCombine(base, vectors, sceWeights(squares, base.length));
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

/** sorted[floor(q·(n − 1))] (mergekit's approximate_quantiles, without its sampling). */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.trunc(q * (sorted.length - 1))]!;
}

export function arceeFusion(
  job: TensorMethodJob,
  { base, taus, models }: MethodInputs,
): Float32Array {
  const d = job.numel;
  const tau = taus[0]!;
  const tuned = models[0]!;
  const row = rowLength(job.shape, d);
  const importance = new Float64Array(d);
  for (let begin = 0; begin < d; begin += row) {
    const kl = rowKl(base, tuned, begin, begin + row);
    for (let i = begin; i < begin + row; i++) importance[i] = Math.abs(tau[i]!) * kl;
  }
  const sorted = importance.slice().sort();
  const [q1, median, q3] = [0.25, 0.5, 0.75].map((q) => quantile(sorted, q)) as [
    number,
    number,
    number,
  ];
  const threshold = median + 1.5 * (q3 - q1);
  const out = new Float32Array(d);
  for (let i = 0; i < d; i++) out[i] = base[i]! + (importance[i]! >= threshold ? tau[i]! : 0);
  return out;
}

/** KL(softmax(θ₁) ‖ softmax(θ₀)) over one row, each softmax + 1e-8 as mergekit adds. */
function rowKl(base: Float32Array, tuned: Float32Array, begin: number, end: number): number {
  let maxP = -Infinity;
  let maxQ = -Infinity;
  for (let i = begin; i < end; i++) {
    maxP = Math.max(maxP, tuned[i]!);
    maxQ = Math.max(maxQ, base[i]!);
  }
  let sumP = 0;
  let sumQ = 0;
  for (let i = begin; i < end; i++) {
    sumP += Math.exp(tuned[i]! - maxP);
    sumQ += Math.exp(base[i]! - maxQ);
  }
  let kl = 0;
  for (let i = begin; i < end; i++) {
    const p = Math.exp(tuned[i]! - maxP) / sumP + 1e-8;
    const q = Math.exp(base[i]! - maxQ) / sumQ + 1e-8;
    kl += p * Math.log(p / q);
  }
  return kl;
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
