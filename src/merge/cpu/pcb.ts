/**
 * PCB merging (Du et al., NeurIPS 2024; duguodong7/pcb-merging `PCB_merge` in
 * pcb-merging.py), per tensor in float64 on f32 task vectors τₜ (the official code runs
 * over the whole flattened model; the studio streams tensors, so every quantile and min–max
 * normalisation below is over one tensor):
 *
 *   |τ| clamped to its [q, 1−q] quantiles per task (q = clamp_ratio, official 1e-4), signs kept;
 *   intra = exp(T · minmax(|τ|clamped)²);  inter = tanh(τₜ ⊙ Σₛ τₛ)  (raw τ);
 *   score = intra ⊙ inter, clamped from below at its (1 − pcb_ratio) quantile, min–max
 *   normalised → scaleₜ (0 for everything outside the top pcb_ratio);
 *   Δ = Σₜ λₜ·τ̃ₜ ⊙ scaleₜ / max(Σₜ scaleₜ, 1e-12)  (λₜ = weight, the official "lams").
 *
 * Quantile indices follow the official `sorted[int(d·r)]` / `sorted[int(d·(1 − r) − 1)]`.
 * A constant array (max = min) normalises to 0 instead of the official 0/0 = NaN.
 */
import type { TensorMethodJob } from '../backend';
import type { MethodInputs } from './svd-merges';

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);

/** Clamps x to [sorted[int(d·lo)], sorted[int(d·(1 − hi) − 1)]] (the official clamp()). */
export function quantileClamp(x: Float64Array, lo: number, hi: number): Float64Array {
  const d = x.length;
  const sorted = x.slice().sort();
  const min = sorted[Math.max(0, Math.trunc(d * lo))]!;
  const max = sorted[Math.max(0, Math.trunc(d * (1 - hi) - 1))]!;
  return x.map((v) => Math.min(Math.max(v, min), max));
}

/** (x − min) / (max − min); 0 everywhere when x is constant. */
export function minMax(x: Float64Array): Float64Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  return x.map((v) => (range > 0 ? (v - min) / range : 0));
}

export function pcb(job: TensorMethodJob, { base, taus }: MethodInputs): Float32Array {
  const n = taus.length;
  const d = base.length;
  const ratio = num(job.global.pcb_ratio, 0.1);
  const q = num(job.global.clamp_ratio, 1e-4);
  const total = new Float64Array(d);
  for (const tau of taus) for (let i = 0; i < d; i++) total[i] = total[i]! + tau[i]!;
  const numerator = new Float64Array(d);
  const denominator = new Float64Array(d);
  taus.forEach((tau, t) => {
    const abs = quantileClamp(Float64Array.from(tau, Math.abs), q, q);
    const intra = minMax(abs);
    const score = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      score[i] = Math.exp(n * intra[i]! * intra[i]!) * Math.tanh(tau[i]! * total[i]!);
    }
    const scale = minMax(quantileClamp(score, 1 - ratio, 0));
    const weight = num(job.perModel[t]?.weight, 1);
    for (let i = 0; i < d; i++) {
      const clamped = Math.sign(tau[i]!) * abs[i]!;
      numerator[i] = numerator[i]! + weight * clamped * scale[i]!;
      denominator[i] = denominator[i]! + scale[i]!;
    }
  });
  const out = new Float32Array(d);
  for (let i = 0; i < d; i++) out[i] = base[i]! + numerator[i]! / Math.max(denominator[i]!, 1e-12);
  return out;
}
