/**
 * EMR merging (Huang et al., NeurIPS 2024; harveyhuang18/EMR_Merging `emr_merge`), per
 * tensor on f32 task vectors τₜ:
 *
 *   elect: σ = +1 where Σₜ τₜ > 0, else −1 (the official `(mean > 0)·2 − 1`);
 *   mask:  mₜ = τₜ·σ > 0 (1 bit per element and task);
 *   unified τ_uni = σ ⊙ maxₜ |mₜ ⊙ τₜ|.
 *
 * The merged model is θ₀ + τ_uni. Task t is recovered as θ₀ + λₜ·mₜ ⊙ τ_uni with the
 * rescaler λₜ = Σ_tensors mean|τₜ| / Σ_tensors mean|mₜ ⊙ τ_uni| — a sum over the whole model
 * of per-tensor means, as in the official code, so each tensor reports its two means and the
 * executor adds them up (executor/modulators.ts).
 */
import type { EmrModulators, TensorMethodJob } from '../backend';
import type { MethodInputs } from './svd-merges';

/** Bytes of one task's packed mask of n elements (bit i of byte i >> 3, LSB first). */
export const maskBytes = (n: number) => Math.ceil(n / 8);

export function emr(
  _job: TensorMethodJob,
  { base, taus }: MethodInputs,
): { merged: Float32Array; emr: EmrModulators } {
  const d = base.length;
  const T = taus.length;
  const stride = maskBytes(d);
  const masks = new Uint8Array(T * stride);
  const unified = new Float32Array(d);
  const taskMeans = new Array<number>(T).fill(0);
  for (let i = 0; i < d; i++) {
    let sum = 0;
    for (const tau of taus) sum += tau[i]!;
    const sign = sum > 0 ? 1 : -1;
    let max = 0;
    for (let t = 0; t < T; t++) {
      const v = taus[t]![i]!;
      if (v * sign > 0) {
        const at = t * stride + (i >> 3);
        masks[at] = masks[at]! | (1 << (i & 7));
        if (Math.abs(v) > max) max = Math.abs(v);
      }
    }
    unified[i] = sign * max;
  }
  const maskedMeans = new Array<number>(T).fill(0);
  for (let t = 0; t < T; t++) {
    let abs = 0;
    let masked = 0;
    const tau = taus[t]!;
    for (let i = 0; i < d; i++) {
      abs += Math.abs(tau[i]!);
      if ((masks[t * stride + (i >> 3)]! >> (i & 7)) & 1) masked += Math.abs(unified[i]!);
    }
    taskMeans[t] = d === 0 ? 0 : abs / d;
    maskedMeans[t] = d === 0 ? 0 : masked / d;
  }
  const merged = new Float32Array(d);
  for (let i = 0; i < d; i++) merged[i] = base[i]! + unified[i]!;
  return { merged, emr: { masks, taskMeans, maskedMeans } };
}
