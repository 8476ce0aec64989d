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
 *
 * Streamed (streamed-methods.ts): everything but the two means is element-wise, so one read
 * sums Σ|τₜ| and Σ|mₜ ⊙ τ_uni| in element order (the whole tensor's sums), then each chunk is
 * merged with its own masks, packed from the chunk's element 0 (the executor places them).
 */
import type { EmrModulators, TensorMethodJob } from '../backend';
import type { StreamedMethod } from './streamed-methods';

/** Bytes of one task's packed mask of n elements (bit i of byte i >> 3, LSB first). */
export const maskBytes = (n: number) => Math.ceil(n / 8);

/** Element i's elected sign and unified value; `agree` gets whether each task agrees. */
function elect(taus: Float32Array[], i: number, agree: Uint8Array): number {
  let sum = 0;
  for (const tau of taus) sum += tau[i]!;
  const sign = sum > 0 ? 1 : -1;
  let max = 0;
  for (let t = 0; t < taus.length; t++) {
    const v = taus[t]![i]!;
    agree[t] = v * sign > 0 ? 1 : 0;
    if (agree[t] && Math.abs(v) > max) max = Math.abs(v);
  }
  return sign * max;
}

/** One read: per task Σ|τₜ| (stats[0][t]) and Σ|mₜ ⊙ τ_uni| (stats[0][T + t]), then means. */
export const emrMethod: StreamedMethod = {
  passes: () => 1,
  init: (_job, _pass, models) => new Array<number>(2 * models).fill(0),
  add(_job, _pass, { taus }, stats) {
    const T = taus.length;
    const acc = stats[0]!;
    const agree = new Uint8Array(T);
    // Each task's two sums take their terms in element order, as the whole tensor's do.
    for (let i = 0; i < (taus[0]?.length ?? 0); i++) {
      const unified = Math.abs(elect(taus, i, agree));
      for (let t = 0; t < T; t++) {
        acc[t] = acc[t]! + Math.abs(taus[t]![i]!);
        if (agree[t]) acc[T + t] = acc[T + t]! + unified;
      }
    }
  },
  close(_job, _pass, stats, numel) {
    stats[0] = stats[0]!.map((s) => (numel === 0 ? 0 : s / numel));
  },
  merge: (job, inputs, stats) => emr(job, inputs, stats),
};

function emr(
  _job: TensorMethodJob,
  { base, taus }: { base: Float32Array; taus: Float32Array[] },
  stats: number[][],
): { merged: Float32Array; emr: EmrModulators } {
  const d = base.length;
  const T = taus.length;
  const stride = maskBytes(d);
  const masks = new Uint8Array(T * stride);
  const merged = new Float32Array(d);
  const agree = new Uint8Array(T);
  for (let i = 0; i < d; i++) {
    const unified = elect(taus, i, agree);
    for (let t = 0; t < T; t++) {
      const at = t * stride + (i >> 3);
      if (agree[t]) masks[at] = masks[at]! | (1 << (i & 7));
    }
    merged[i] = base[i]! + unified;
  }
  const means = stats[0]!;
  return { merged, emr: { masks, taskMeans: means.slice(0, T), maskedMeans: means.slice(T) } };
}
