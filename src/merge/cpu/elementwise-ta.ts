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
 *
 * Why branch-free: with random data the keep tests (|δ| ≥ t, sign agreement) mispredict about
 * half the time; multiplying by the 0/1 outcome instead is ≈ 40 % faster. It equals the
 * branches except that ±0 may replace +0 (harmless: no sum here is ever −0) and that
 * NaN·0 = ∞·0 = NaN. Every element whose sum comes out NaN or ±∞ is therefore recomputed
 * with the reference's branches (exactElement), so the result is the same, bit for bit.
 */
import type { TaskArithmeticJob } from '../backend';
import { electedSign } from './consensus';
import { guardedDivisor } from './divisor';
import { f32View } from './unpack';

const f = Math.fround;
const TILE = 4096;

/**
 * Per model: keep lo ≤ |δ| ≤ hi when `trimmed` (a magnitude threshold is lo with hi = +∞, a
 * Breadcrumbs band both edges, "keep nothing" lo = +∞); untrimmed models keep every δ.
 */
export interface KeepBands {
  lo: Float64Array;
  hi: Float64Array;
  trimmed: Uint8Array;
}

/** Bands of an element-wise job: model-scope thresholds, or everything kept. */
export function modelScopeBands(job: TaskArithmeticJob): KeepBands {
  const k = job.models.length;
  const trims = job.sparsifier !== 'none';
  return {
    lo: Float64Array.from({ length: k }, (_, m) =>
      trims ? (job.modelScopeThresholds![m] ?? 0) : -Infinity,
    ),
    hi: new Float64Array(k).fill(Infinity),
    trimmed: new Uint8Array(k).fill(trims ? 1 : 0),
  };
}

/** No sparsifier, or model-scope thresholds without rescaling. */
export function isElementwiseJob(job: TaskArithmeticJob): boolean {
  if (job.sparsifier === 'none') return true;
  return (
    job.sparsifier === 'magnitude' &&
    job.modelScopeThresholds !== undefined &&
    job.rescale === 'none'
  );
}

/** The f32 views of a job's inputs (decoded once, shared by the wasm and TS paths). */
export interface ElementwiseInputs {
  base: Float32Array;
  tuned: Float32Array[];
}

export function elementwiseInputs(job: TaskArithmeticJob): ElementwiseInputs {
  const n = job.numel;
  return {
    base: f32View(job.base, n, `${job.tensorName} (base)`),
    tuned: job.models.map((raw, m) => f32View(raw, n, `${job.tensorName} (model ${m})`)),
  };
}

export function mergeElementwiseTiled(
  job: TaskArithmeticJob,
  bands: KeepBands = modelScopeBands(job),
): Float32Array {
  const out = new Float32Array(job.numel);
  mergeElementwiseRange(job, bands, elementwiseInputs(job), out, 0, job.numel);
  return out;
}

/** Elements [from, to) of the merge into `out` (the TS path; wasm tiles fall back to it). */
export function mergeElementwiseRange(
  job: TaskArithmeticJob,
  bands: KeepBands,
  inputs: ElementwiseInputs,
  out: Float32Array,
  from: number,
  to: number,
): void {
  const k = job.models.length;
  const { base, tuned } = inputs;
  const weights = Float32Array.from(job.models, (_, m) => job.weights[m] ?? 1);
  const trims = bands.trimmed.some((t) => t === 1);
  // A NaN δ fails both comparisons and is dropped, as in the reference. Untrimmed models get
  // (−∞, +∞), which keeps every δ but NaN — a NaN reaches the exact path through a NaN sum.
  const lo = bands.lo.map((v, m) => (bands.trimmed[m] ? v : -Infinity));
  const hi = bands.hi.map((v, m) => (bands.trimmed[m] ? v : Infinity));
  const lambda = f(job.lambda);
  const scale = f(job.deltaScale);
  const acc = new Float32Array(TILE);
  const div = new Float32Array(TILE);
  let fixedDiv = 0;
  for (let t = 0; t < k; t++) fixedDiv = f(fixedDiv + weights[t]!);

  const none = job.consensus === 'none';
  const count = job.consensus === 'count';
  const wd = new Float32Array(none ? 0 : k * TILE);
  const stat = new Float32Array(TILE);
  const sign = new Float32Array(TILE);
  const { zeroSign, majoritySign, normalize } = job;
  const ctx: ExactContext = { base, tuned, weights, bands, job, lambda, scale };

  for (let start = from; start < to; start += TILE) {
    const len = Math.min(TILE, to - start);
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
        const l = lo[t]!;
        const h = hi[t]!;
        for (let i = 0, j = start; i < len; i++, j++) {
          const d = f(x[j]! - base[j]!);
          const a = Math.abs(d);
          acc[i] = acc[i]! + f(w * (d * (+(a >= l) * +(a <= h))));
        }
      }
      div.fill(fixedDiv, 0, len);
    } else {
      // Weighted (trimmed) deltas of the tile, one row per model, and the election statistic.
      stat.fill(0, 0, len);
      for (let t = 0; t < k; t++) {
        const x = tuned[t]!;
        const w = weights[t]!;
        const l = lo[t]!;
        const h = hi[t]!;
        const row = t * TILE;
        if (count) {
          for (let i = 0, j = start; i < len; i++, j++) {
            const d = f(x[j]! - base[j]!);
            const a = Math.abs(d);
            const v = f(w * (d * (+(a >= l) * +(a <= h))));
            wd[row + i] = v;
            stat[i] = stat[i]! + Math.sign(v);
          }
        } else {
          for (let i = 0, j = start; i < len; i++, j++) {
            const d = f(x[j]! - base[j]!);
            const a = Math.abs(d);
            const v = f(w * (d * (+(a >= l) * +(a <= h))));
            wd[row + i] = v;
            stat[i] = stat[i]! + v;
          }
        }
      }
      for (let i = 0; i < len; i++) sign[i] = electedSign(stat[i]!, zeroSign, majoritySign);
      div.fill(0, 0, len);
      for (let t = 0; t < k; t++) {
        const w = weights[t]!;
        const row = t * TILE;
        for (let i = 0; i < len; i++) {
          const v = wd[row + i]!;
          // 1 when Math.sign(v) === sign (never for ±0 or NaN).
          const m = +(v * sign[i]! > 0);
          acc[i] = acc[i]! + v * m;
          div[i] = div[i]! + w * m;
        }
      }
    }
    for (let i = 0, j = start; i < len; i++, j++) {
      let mixed = acc[i]!;
      if (mixed - mixed !== 0) {
        out[j] = exactElement(ctx, j);
        continue;
      }
      if (normalize) {
        mixed = f(mixed / guardedDivisor(div[i]!, !none));
      }
      out[j] = base[j]! + f(f(mixed * lambda) * scale);
    }
  }
}

interface ExactContext {
  base: Float32Array;
  tuned: Float32Array[];
  weights: Float32Array;
  bands: KeepBands;
  job: TaskArithmeticJob;
  lambda: number;
  scale: number;
}

/** One element with the reference's branches (the path for NaN / ±∞ sums). */
function exactElement(c: ExactContext, j: number): number {
  const { job, weights } = c;
  const k = c.tuned.length;
  const b = c.base[j]!;
  const wd = new Float64Array(k);
  let s = 0;
  for (let t = 0; t < k; t++) {
    const d = f(c.tuned[t]![j]! - b);
    const a = Math.abs(d);
    const kept = c.bands.trimmed[t] && !(a >= c.bands.lo[t]! && a <= c.bands.hi[t]!) ? 0 : d;
    wd[t] = f(weights[t]! * kept);
    s = f(s + (job.consensus === 'count' ? Math.sign(wd[t]!) : wd[t]!));
  }
  const sign = electedSign(s, job.zeroSign, job.majoritySign);
  let mixed = 0;
  let div = 0;
  for (let t = 0; t < k; t++) {
    if (job.consensus === 'none' || Math.sign(wd[t]!) === sign) {
      mixed = f(mixed + wd[t]!);
      div = f(div + weights[t]!);
    }
  }
  if (job.normalize) mixed = f(mixed / guardedDivisor(div, job.consensus !== 'none'));
  return b + f(f(mixed * c.lambda) * c.scale);
}
