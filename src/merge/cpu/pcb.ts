/**
 * PCB merging (Du et al., NeurIPS 2024; duguodong7/pcb-merging `PCB_merge` in
 * pcb-merging.py), in float64 on f32 task vectors τₜ. The official code runs over the whole
 * flattened model (`pcb_scope: model`: the quantiles come from the executor's pre-passes,
 * pcb-model.ts); `pcb_scope: tensor` (the default, one read) takes them over each tensor:
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
import type { PcbTaskStats, TensorMethodJob } from '../backend';
import type { MethodInputs } from './svd-merges';

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);

/**
 * Per task: the quantiles that bound |τ| and the balancing score (PcbTaskStats) — over one
 * tensor (`pcb_scope: tensor`) or over the whole model (`model`, the official form, found by
 * the executor's pre-passes: pcb-model.ts). With them every element's scale is local.
 */
export const pcbSettings = (global: Record<string, unknown>) => ({
  ratio: num(global['pcb_ratio'], 0.1),
  q: num(global['clamp_ratio'], 1e-4),
});

/** Quantile ranks (0-based, ascending) of D elements: |τ| low, |τ| high, score low, score high. */
export function pcbRanks(d: number, q: number, ratio: number): [number, number, number, number] {
  const at = (x: number) => Math.min(d - 1, Math.max(0, Math.trunc(x)));
  return [at(d * q), at(d * (1 - q) - 1), at(d * (1 - ratio)), d - 1];
}

/** Element sums Σₛ τₛ (the inter-balance's other factor). */
export function tauSum(taus: Float32Array[]): Float64Array {
  const total = new Float64Array(taus[0]?.length ?? 0);
  for (const tau of taus) for (let i = 0; i < total.length; i++) total[i] = total[i]! + tau[i]!;
  return total;
}

/** Task t's balancing score intra ⊙ inter of every element, given its |τ| bounds. */
export function pcbScores(
  taus: Float32Array[],
  total: Float64Array,
  t: number,
  absLo: number,
  absHi: number,
): Float64Array {
  const n = taus.length;
  const tau = taus[t]!;
  const range = absHi - absLo;
  const score = new Float64Array(tau.length);
  for (let i = 0; i < tau.length; i++) {
    const a = Math.min(Math.max(Math.abs(tau[i]!), absLo), absHi);
    const intra = range > 0 ? (a - absLo) / range : 0;
    score[i] = Math.exp(n * intra * intra) * Math.tanh(tau[i]! * total[i]!);
  }
  return score;
}

/** The statistics of one tensor alone (`pcb_scope: tensor`). */
function tensorStats(taus: Float32Array[], total: Float64Array, q: number, ratio: number) {
  const [lo, hi, sLo, sHi] = pcbRanks(total.length, q, ratio);
  return taus.map((tau, t): PcbTaskStats => {
    const abs = Float64Array.from(tau, Math.abs).sort();
    const score = pcbScores(taus, total, t, abs[lo]!, abs[hi]!).sort();
    return { absLo: abs[lo]!, absHi: abs[hi]!, scoreLo: score[sLo]!, scoreHi: score[sHi]! };
  });
}

export function pcb(job: TensorMethodJob, { base, taus }: MethodInputs): Float32Array {
  const d = base.length;
  const { ratio, q } = pcbSettings(job.global);
  const total = tauSum(taus);
  const model = job.global['pcb_scope'] === 'model';
  if (model && !job.pcbModel)
    throw new Error(
      `${job.tensorName}: pcb_scope: model needs the model's statistics (the executor's pre-passes)`,
    );
  const stats = model ? job.pcbModel! : tensorStats(taus, total, q, ratio);
  const numerator = new Float64Array(d);
  const denominator = new Float64Array(d);
  taus.forEach((tau, t) => {
    const { absLo, absHi, scoreLo, scoreHi } = stats[t]!;
    const score = pcbScores(taus, total, t, absLo, absHi);
    const range = scoreHi - scoreLo;
    const weight = num(job.perModel[t]?.weight, 1);
    for (let i = 0; i < d; i++) {
      const s = Math.min(Math.max(score[i]!, scoreLo), scoreHi);
      const scale = range > 0 ? (s - scoreLo) / range : 0;
      const clamped = Math.sign(tau[i]!) * Math.min(Math.max(Math.abs(tau[i]!), absLo), absHi);
      numerator[i] = numerator[i]! + weight * clamped * scale;
      denominator[i] = denominator[i]! + scale;
    }
  });
  const out = new Float32Array(d);
  for (let i = 0; i < d; i++) out[i] = base[i]! + numerator[i]! / Math.max(denominator[i]!, 1e-12);
  return out;
}
