/**
 * The fast path of the CPU task-arithmetic engine for element-wise jobs (no sparsifier, or
 * model-scope magnitude thresholds without rescaling): every output element needs only the
 * same element of each input, so no per-model delta arrays are materialized.
 *
 * Why tiles: an element-outer loop over `models[t][i]` is ~4× slower in V8 (a polymorphic
 * array-of-arrays load per element and model), and a model-outer loop over the whole tensor
 * streams the accumulator through memory K times. Tiles of TILE elements keep the
 * accumulators in L1 while every inner loop is a monomorphic typed-array loop.
 *
 * The f32 operations and their order are exactly those of the reference formulas
 * (docs/merge.md; fused.spec.ts compares bit for bit): δ = f(θₜ − θ₀), kept = |δ| ≥ tₜ ? δ : 0,
 * v = f(wₜ·kept), sums in model order, normalize, f(f(mixed·λ)·scale), θ₀ + mixed.
 * A Float32Array store rounds a double to f32 exactly like Math.fround.
 */
import type { TaskArithmeticJob } from '../backend';
import { electedSign } from './consensus';
import { f32View } from './unpack';

const f = Math.fround;
const TILE = 4096;

/** No sparsifier, or model-scope thresholds without rescaling. */
export function isElementwiseJob(job: TaskArithmeticJob): boolean {
  if (job.sparsifier === 'none') return true;
  return (
    job.sparsifier === 'magnitude' &&
    job.modelScopeThresholds !== undefined &&
    job.rescale === 'none'
  );
}

export function mergeElementwiseTiled(job: TaskArithmeticJob): Float32Array {
  const n = job.numel;
  const k = job.models.length;
  const base = f32View(job.base, n, `${job.tensorName} (base)`);
  const tuned = job.models.map((raw, m) => f32View(raw, n, `${job.tensorName} (model ${m})`));
  const weights = Float32Array.from(job.models, (_, m) => job.weights[m] ?? 1);
  const trims = job.sparsifier !== 'none';
  // Keep |δ| ≥ t; a NaN δ fails the comparison and is dropped, as in the reference.
  const thresholds = Float64Array.from(job.models, (_, m) =>
    trims ? (job.modelScopeThresholds![m] ?? 0) : 0,
  );
  const lambda = f(job.lambda);
  const scale = f(job.deltaScale);
  const out = new Float32Array(n);
  const acc = new Float32Array(TILE);
  const div = new Float32Array(TILE);
  let fixedDiv = 0;
  for (let t = 0; t < k; t++) fixedDiv = f(fixedDiv + weights[t]!);

  const none = job.consensus === 'none';
  const count = job.consensus === 'count';
  const wd = none ? acc : new Float32Array(k * TILE);
  const stat = new Float32Array(TILE);
  const sign = new Float64Array(TILE);

  for (let start = 0; start < n; start += TILE) {
    const len = Math.min(TILE, n - start);
    acc.fill(0, 0, len);
    if (none) {
      let t = 0;
      // Four models per sweep: a quarter of the accumulator traffic (same order of sums).
      if (!trims) {
        for (; t + 4 <= k; t += 4) {
          const [x0, x1, x2, x3] = [tuned[t]!, tuned[t + 1]!, tuned[t + 2]!, tuned[t + 3]!];
          const [w0, w1, w2, w3] = [weights[t]!, weights[t + 1]!, weights[t + 2]!, weights[t + 3]!];
          for (let i = 0, j = start; i < len; i++, j++) {
            const b = base[j]!;
            let m = acc[i]!;
            m = f(m + f(w0 * f(x0[j]! - b)));
            m = f(m + f(w1 * f(x1[j]! - b)));
            m = f(m + f(w2 * f(x2[j]! - b)));
            acc[i] = m + f(w3 * f(x3[j]! - b));
          }
        }
      }
      for (; t < k; t++) {
        const x = tuned[t]!;
        const w = weights[t]!;
        const th = thresholds[t]!;
        if (trims) {
          for (let i = 0, j = start; i < len; i++, j++) {
            const d = f(x[j]! - base[j]!);
            acc[i] = acc[i]! + f(w * (Math.abs(d) >= th ? d : 0));
          }
        } else {
          for (let i = 0, j = start; i < len; i++, j++)
            acc[i] = acc[i]! + f(w * f(x[j]! - base[j]!));
        }
      }
      div.fill(fixedDiv, 0, len);
    } else {
      // Weighted (trimmed) deltas of the tile, one row per model, then the election.
      stat.fill(0, 0, len);
      for (let t = 0; t < k; t++) {
        const x = tuned[t]!;
        const w = weights[t]!;
        const th = thresholds[t]!;
        const row = t * TILE;
        for (let i = 0; i < len; i++) {
          const d = f(x[start + i]! - base[start + i]!);
          const v = f(w * (!trims || Math.abs(d) >= th ? d : 0));
          wd[row + i] = v;
          stat[i] = stat[i]! + (count ? Math.sign(v) : v);
        }
      }
      for (let i = 0; i < len; i++) sign[i] = electedSign(stat[i]!, job.zeroSign, job.majoritySign);
      div.fill(0, 0, len);
      for (let t = 0; t < k; t++) {
        const w = weights[t]!;
        const row = t * TILE;
        for (let i = 0; i < len; i++) {
          const v = wd[row + i]!;
          if (Math.sign(v) === sign[i]) {
            acc[i] = acc[i]! + v;
            div[i] = div[i]! + w;
          }
        }
      }
    }
    for (let i = 0; i < len; i++) {
      let mixed = acc[i]!;
      if (job.normalize) {
        const d = div[i]!;
        mixed = f(mixed / (Math.abs(d) < 1e-8 ? 1 : d));
      }
      out[start + i] = base[start + i]! + f(f(mixed * lambda) * scale);
    }
  }
  return out;
}
