/**
 * The SVD-based merges, per weight matrix (a 2-D tensor), in float64 on f32 task vectors
 * τₜ = θₜ − θ₀; tensors that are not 2-D get the mean task vector, as the official code does.
 * Every method returns θ₀ + α·Δ rounded once to f32.
 *
 * - TSV-M (Gargiulo et al., CVPR 2025; AntoAndGar/task_singular_vectors
 *   `compute_and_sum_svd_mem_reduction`): k = int(r·(1/T)) leading triplets of each τₜ
 *   (r = min(m, n)); the U blocks side by side and the V blocks likewise are replaced by their
 *   polar factors (U⊥ = P·Qᵀ from the SVD of the stack); Δ = U⊥·diag(S)·V⊥ᵀ. The official
 *   code pads the stacks with zero columns up to r; the padding meets zero singular values, so
 *   it changes nothing and is left out here.
 * - Iso-C (Marczak et al. 2025; danielm1405/iso-merging `iso_c`): Σₜτₜ = U·S·Vᵀ,
 *   Δ = mean(S)·U·Vᵀ.
 * - Iso-CTS (`iso_cts`): the top c singular vectors of Σₜτₜ as a common space, c from
 *   common_space_fraction with the task-specific remainder rounded (Python round) to a
 *   multiple of T; each task's τₜ projected off the common space gives its top (r − c)/T
 *   triplets; all blocks stacked and orthogonalised as in TSV-M; Δ = mean(S)·U⊥·V⊥ᵀ.
 * - CART (Choi et al. 2024, "Revisiting weight averaging"; JH-GEECS/CART `_merge_weights`):
 *   θ_avg = θ₀ + mean(τ); Δ' = Σₜ lowrank_k(θₜ − θ_avg) with k = max(1, int(ratio·r))
 *   (ratio 0 → nothing, 1 → full rank); out = θ_avg + α·Δ'. Non-2-D tensors: θ_avg (the
 *   centred task vectors of a tensor that is not truncated sum to zero).
 */
import type { TensorMethodJob } from '../backend';
import { matmul, matmulNT, zeros, type Mat } from './dense';
import { polarFactor, reconstruct, topSvd, type Svd } from './svd';
import type { Values } from './dense';

/**
 * A top-k SVD a method needs. The methods are generators that yield these and are resumed
 * with the result: runSvdSteps answers on the CPU (topSvd), the WebGPU backend with its
 * device products (src/gpu/merge/tensor-methods.ts) — the rest is the same code.
 */
export interface SvdRequest {
  a: Mat<Values>;
  k: number;
  seed: number;
  /**
   * Always the exact SVD: TSV-M and Iso-CTS orthogonalise the stacked blocks (polar
   * factors), which mixes every kept direction into every other, so directions a randomised
   * finder leaves undetermined (a flat tail inside the top k) would move the whole result —
   * 1e-2 relative in a test where k = r/T reached into a noise floor.
   */
  exact?: boolean;
}

export type SvdSteps = (
  job: TensorMethodJob,
  inputs: MethodInputs,
) => Generator<SvdRequest, Float32Array, Svd>;

/** Runs a method's steps with the CPU's topSvd. */
export function runSvdSteps(steps: SvdSteps) {
  return (job: TensorMethodJob, inputs: MethodInputs): Float32Array => {
    const run = steps(job, inputs);
    let step = run.next(undefined as unknown as Svd);
    while (!step.done) {
      const { a, k, seed, exact } = step.value;
      step = run.next(topSvd(a, k, { seed, ...(exact ? { exactMaxRank: Infinity } : {}) }));
    }
    return step.value;
  };
}

export interface MethodInputs {
  base: Float32Array;
  /** τₜ = θₜ − θ₀ in f32. */
  taus: Float32Array[];
  /** θₜ as read (decoded to f32). */
  models: Float32Array[];
}

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);

export const is2d = (shape: number[]) => shape.length === 2;

/** θ₀ + α·Δ (Δ in float64, rounded once). */
function addScaled(base: Float32Array, delta: ArrayLike<number>, alpha: number): Float32Array {
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) out[i] = base[i]! + alpha * delta[i]!;
  return out;
}

function meanOf(taus: Float32Array[]): Float64Array {
  const mean = new Float64Array(taus[0]!.length);
  for (const tau of taus) for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! + tau[i]!;
  for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! / taus.length;
  return mean;
}

function sumOf(taus: Float32Array[], rows: number, cols: number): Mat {
  const sum = zeros(rows, cols);
  for (const tau of taus) for (let i = 0; i < tau.length; i++) sum.data[i] = sum.data[i]! + tau[i]!;
  return sum;
}

const asMat = (data: Float32Array, shape: number[]): Mat<Float32Array> => ({
  rows: shape[0]!,
  cols: shape[1]!,
  data,
});

/** Blocks of singular triplets stacked side by side: U (m × Σk), S, V (n × Σk). */
function stack(blocks: Svd[], m: number, n: number): Svd {
  const width = blocks.reduce((w, b) => w + b.s.length, 0);
  const u = zeros(m, width);
  const v = zeros(n, width);
  const s = new Float64Array(width);
  let at = 0;
  for (const b of blocks) {
    const k = b.s.length;
    for (let i = 0; i < m; i++) u.data.set(b.u.data.subarray(i * k, i * k + k), i * width + at);
    for (let i = 0; i < n; i++) v.data.set(b.v.data.subarray(i * k, i * k + k), i * width + at);
    s.set(b.s, at);
    at += k;
  }
  return { u, s, v };
}

/** U⊥·diag(scale)·V⊥ᵀ with U⊥, V⊥ the polar factors of the stacks. */
function orthogonalised(stacked: Svd, scale: Float64Array): Mat {
  if (stacked.s.length === 0) return zeros(stacked.u.rows, stacked.v.rows);
  return reconstruct({ u: polarFactor(stacked.u), s: scale, v: polarFactor(stacked.v) });
}

function checkShape(job: TensorMethodJob): [number, number] {
  return [job.shape[0]!, job.shape[1]!];
}

export function* tsvMSteps(
  job: TensorMethodJob,
  { base, taus }: MethodInputs,
): Generator<SvdRequest, Float32Array, Svd> {
  const alpha = num(job.global.alpha, 1);
  if (!is2d(job.shape)) return addScaled(base, meanOf(taus), alpha);
  const [m, n] = checkShape(job);
  const k = Math.trunc(Math.min(m, n) * (1 / taus.length));
  const blocks: Svd[] = [];
  for (let t = 0; t < taus.length; t++) {
    blocks.push(yield { a: asMat(taus[t]!, job.shape), k, seed: 0x75e0 + t, exact: true });
  }
  const stacked = stack(blocks, m, n);
  return addScaled(base, orthogonalised(stacked, stacked.s).data, alpha);
}

export function* isoCSteps(
  job: TensorMethodJob,
  { base, taus }: MethodInputs,
): Generator<SvdRequest, Float32Array, Svd> {
  const alpha = num(job.global.alpha, 1);
  if (!is2d(job.shape)) return addScaled(base, meanOf(taus), alpha);
  const [m, n] = checkShape(job);
  const svd: Svd = yield { a: sumOf(taus, m, n), k: Math.min(m, n), seed: 0x150c, exact: true };
  const r = svd.s.length;
  const mean = r === 0 ? 0 : svd.s.reduce((a, b) => a + b, 0) / r;
  const delta = matmulNT(svd.u, svd.v);
  for (let i = 0; i < delta.data.length; i++) delta.data[i] = delta.data[i]! * mean;
  return addScaled(base, delta.data, alpha);
}

/** Python 3's round(): half to even. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Iso-CTS's common-space size c and task-specific size per task for rank r and T tasks. */
export function isoCtsSizes(r: number, tasks: number, fraction: number) {
  const first = Math.trunc(r * fraction);
  const common = r - pyRound((r - first) / tasks) * tasks;
  return { common, perTask: Math.trunc((r - common) / tasks) };
}

export function* isoCtsSteps(
  job: TensorMethodJob,
  { base, taus }: MethodInputs,
): Generator<SvdRequest, Float32Array, Svd> {
  const alpha = num(job.global.alpha, 1);
  if (!is2d(job.shape)) return addScaled(base, meanOf(taus), alpha);
  const [m, n] = checkShape(job);
  const r = Math.min(m, n);
  const { common, perTask } = isoCtsSizes(
    r,
    taus.length,
    num(job.global.common_space_fraction, 0.8),
  );
  const shared: Svd = yield { a: sumOf(taus, m, n), k: common, seed: 0x150c, exact: true };
  const blocks: Svd[] = [];
  for (let t = 0; t < taus.length; t++) {
    // τₜ − Uc·Ucᵀ·τₜ: the part of the task outside the common space.
    const tau = taus[t]!;
    const projection = matmul(shared.u, matmulTN64(shared.u, asMat(tau, job.shape)));
    const rest = zeros(m, n);
    for (let i = 0; i < rest.data.length; i++) rest.data[i] = tau[i]! - projection.data[i]!;
    blocks.push(yield { a: rest, k: perTask, seed: 0x150d + t, exact: true });
  }
  const stacked = stack([...blocks, shared], m, n);
  const width = stacked.s.length;
  const mean = width === 0 ? 0 : stacked.s.reduce((a, b) => a + b, 0) / width;
  return addScaled(base, orthogonalised(stacked, new Float64Array(width).fill(mean)).data, alpha);
}

/** aᵀ·b for a float64 a and a float32 b. */
function matmulTN64(a: Mat, b: Mat<Float32Array>): Mat {
  const out = zeros(a.cols, b.cols);
  for (let p = 0; p < a.rows; p++) {
    for (let i = 0; i < a.cols; i++) {
      const s = a.data[p * a.cols + i]!;
      if (s === 0) continue;
      const o = i * b.cols;
      const r = p * b.cols;
      for (let j = 0; j < b.cols; j++) out.data[o + j] = out.data[o + j]! + s * b.data[r + j]!;
    }
  }
  return out;
}

/** CART's rank for a rank-r matrix: 0 → none, 1 → all, else max(1, int(ratio·r)). */
export function cartRank(r: number, ratio: number): number {
  if (ratio <= 0) return 0;
  if (ratio >= 1) return r;
  return Math.max(1, Math.trunc(ratio * r));
}

export function* cartSteps(
  job: TensorMethodJob,
  { base, taus }: MethodInputs,
): Generator<SvdRequest, Float32Array, Svd> {
  const alpha = num(job.global.alpha, 1);
  const mean = meanOf(taus);
  if (!is2d(job.shape)) {
    // Σₜ(τₜ − mean) is zero up to rounding: the official code adds that rounding too.
    const centredSum = new Float64Array(mean.length);
    for (const tau of taus)
      for (let i = 0; i < mean.length; i++) centredSum[i] = centredSum[i]! + tau[i]! - mean[i]!;
    for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! + alpha * centredSum[i]!;
    return addScaled(base, mean, 1);
  }
  const [m, n] = checkShape(job);
  const k = cartRank(Math.min(m, n), num(job.global.rank_ratio, 0.12));
  const delta = new Float64Array(mean.length);
  for (let t = 0; t < taus.length && k > 0; t++) {
    const tau = taus[t]!;
    const centred = zeros(m, n);
    for (let i = 0; i < tau.length; i++) centred.data[i] = tau[i]! - mean[i]!;
    const low = reconstruct(yield { a: centred, k, seed: 0xca27 + t });
    for (let i = 0; i < delta.length; i++) delta[i] = delta[i]! + low.data[i]!;
  }
  for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! + alpha * delta[i]!;
  return addScaled(base, mean, 1);
}

export const tsvM = runSvdSteps(tsvMSteps);
export const isoC = runSvdSteps(isoCSteps);
export const isoCts = runSvdSteps(isoCtsSteps);
export const cart = runSvdSteps(cartSteps);
