/**
 * Model Stock (mergekit semantics): τᵢ = θᵢ − θ₀ (f32); cos = mean over pairs i<j of
 * clamp(⟨τᵢ,τⱼ⟩ / max(‖τᵢ‖‖τⱼ‖, 1e-6), −1, 1) over the whole tensor, or per row (last dim)
 * when filterWise; t = N·cos / (1 + (N−1)·cos); out = t·mean(θᵢ) + (1−t)·θ₀. Reductions sum in
 * doubles. A degenerate denominator (|1 + (N−1)cos| < 1e-8, anti-parallel τ's) gives t = 0,
 * i.e. the base, instead of ±∞.
 */
import { outputArray, type ModelStockJob } from '../backend';
import { f32View, rowLength, taskVector } from './unpack';

const f = Math.fround;

export function modelStockT(cos: number, n: number): number {
  const den = 1 + (n - 1) * cos;
  return Math.abs(den) < 1e-8 ? 0 : (n * cos) / den;
}

export function mergeModelStock(job: ModelStockJob): Float32Array {
  // Read-only views on the inputs: no copy of every input per chunk.
  const base = f32View(job.base, job.numel, `${job.tensorName} (base)`);
  const models = job.models.map((raw, m) =>
    f32View(raw, job.numel, `${job.tensorName} (model ${m})`),
  );
  if (models.length < 2) throw new Error(`${job.tensorName}: model_stock needs at least 2 models`);
  // Task vectors only where t is computed here (a streamed chunk brings the tensor's t):
  // K fresh chunk-sized arrays per chunk were garbage that Chromium collects lazily.
  const fixedT = job.t !== undefined && !job.filterWise;
  const taus = fixedT ? [] : models.map((m) => taskVector(base, m));
  const n = models.length;
  const seg = job.filterWise ? rowLength(job.shape, job.numel) : Math.max(job.numel, 1);
  const out = outputArray(job);
  for (let begin = 0; begin < job.numel; begin += seg) {
    const end = Math.min(begin + seg, job.numel);
    const t =
      fixedT && job.t !== undefined ? job.t : modelStockT(meanPairwiseCosine(taus, begin, end), n);
    for (let i = begin; i < end; i++) {
      let sum = 0;
      for (const m of models) sum = f(sum + (m[i] as number));
      const avg = f(sum / n);
      out[i] = t * avg + (1 - t) * (base[i] as number);
    }
  }
  return out;
}

export function meanPairwiseCosine(taus: Float32Array[], begin: number, end: number): number {
  const sums = newPairSums(taus.length);
  addPairSums(taus, begin, end, sums);
  return meanCosineFromSums(sums);
}

/** ⟨τᵢ,τⱼ⟩, ‖τᵢ‖², ‖τⱼ‖² per pair i < j (in pair order), as running double sums. */
export type PairSums = { xy: number; xx: number; yy: number }[];

export function newPairSums(models: number): PairSums {
  return Array.from({ length: (models * (models - 1)) / 2 }, () => ({ xy: 0, xx: 0, yy: 0 }));
}

/**
 * Adds elements [begin, end) into every pair's sums, each in element order (a tensor streamed
 * chunk by chunk gets exactly the whole tensor's sums).
 */
export function addPairSums(
  taus: Float32Array[],
  begin: number,
  end: number,
  sums: PairSums,
): void {
  let p = 0;
  for (let i = 0; i < taus.length; i++) {
    for (let j = i + 1; j < taus.length; j++) {
      const x = taus[i] as Float32Array;
      const y = taus[j] as Float32Array;
      const s = sums[p++]!;
      let { xy, xx, yy } = s;
      for (let e = begin; e < end; e++) {
        const a = x[e] as number;
        const b = y[e] as number;
        xy += a * b;
        xx += a * a;
        yy += b * b;
      }
      s.xy = xy;
      s.xx = xx;
      s.yy = yy;
    }
  }
}

export function meanCosineFromSums(sums: PairSums): number {
  let total = 0;
  for (const { xy, xx, yy } of sums) {
    const cos = xy / Math.max(Math.sqrt(xx) * Math.sqrt(yy), 1e-6);
    total += Math.max(-1, Math.min(1, cos));
  }
  return total / sums.length;
}
