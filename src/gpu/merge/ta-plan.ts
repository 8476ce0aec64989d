/**
 * Resolves each model's sparsifier of a task-arithmetic job into one keep mode of ta.wgsl,
 * following src/merge/cpu/sparsify.ts rule by rule (bands, DARE thresholds, DELLA rank tables).
 */
import {
  type TaskArithmeticJob,
  type TensorBand,
  nameHash,
  outlierSlice,
  streamKey,
} from '../../merge';
import type { RowTask } from './row-sort';
import { GpuMergeError } from './packed-inputs';
import { f32Bits, f32CeilBits, f32FloorBits, keepThreshold24 } from './bits';

export const MODE = {
  all: 0,
  band: 1,
  rowBand: 2,
  random: 3,
  della: 4,
  none: 5,
  bandCut: 6,
} as const;
/** "No cut" for an index bound (u32): every flat index is below it. */
const NO_CUT = 0xffffffff;
const INF_BITS = 0x7f800000;
export const MAX_MODELS = 63;

export interface ModelPlan {
  mode: number;
  weight: number;
  /** Keep probability used by inverse_density (1 when density ≥ 1). */
  p: number;
  lo: number;
  hi: number;
  key: number;
  t24: number;
  /** MODE.bandCut: lo's ties kept at flat indices [from, to), hi's below the third. */
  cuts: [number, number, number];
  l1: number;
  row?: RowTask;
}

/** The Breadcrumbs band of one row of n elements (magnitude = γ 0), as sparsify.ts. */
function band(
  n: number,
  density: number,
  gamma: number,
): { all: true } | { none: true } | { skipTop: number; last: number } {
  if (density >= 1 && gamma <= 0) return { all: true };
  const { nTop, keep } = outlierSlice(n, density, gamma);
  if (keep <= 0 || nTop >= n) return { none: true };
  return { skipTop: nTop, last: Math.min(nTop + keep, n) - 1 };
}

export function planModel(job: TaskArithmeticJob, m: number, rowLen: number): ModelPlan {
  const density = job.densities[m] ?? 1;
  const gamma = job.gammas[m] ?? 0;
  const epsilon = job.epsilons[m] ?? 0;
  const plan: ModelPlan = {
    mode: MODE.all,
    weight: Math.fround(job.weights[m] ?? 1),
    p: density >= 1 ? 1 : density,
    lo: 0,
    hi: INF_BITS,
    key: 0,
    t24: 0,
    cuts: [0, NO_CUT, NO_CUT],
    l1: 1,
  };
  const threshold = job.modelScopeThresholds?.[m];
  switch (job.sparsifier) {
    case 'none':
      // The reference returns δ unchanged: no rescale of either kind.
      plan.p = 1;
      return plan;
    case 'magnitude':
    case 'magnitude_outliers': {
      if (job.tensorBands) return givenBand(plan, job.tensorBands[m] ?? null);
      if (job.sparsifier === 'magnitude' && threshold !== undefined) {
        plan.mode = MODE.band;
        plan.lo = f32CeilBits(threshold);
        return plan;
      }
      // Per-tensor trims are mergekit's exactly-k ones: withExactBands has selected them.
      if (!job.rowWise) {
        throw new GpuMergeError(`${job.tensorName}: per-tensor bands not selected`);
      }
      const g = job.sparsifier === 'magnitude' ? 0 : gamma;
      const n = rowLen;
      const b = band(n, density, g);
      if ('all' in b) return plan;
      if ('none' in b) {
        plan.mode = MODE.none;
        return plan;
      }
      plan.mode = MODE.rowBand;
      plan.row = {
        model: m,
        kind: 'band',
        none: false,
        loIndex: n - 1 - b.last,
        hiIndex: n - 1 - b.skipTop,
      };
      return plan;
    }
    case 'random':
      if (density >= 1) return plan;
      plan.mode = MODE.random;
      plan.key = streamKey(job.seed, m, nameHash(job.tensorName));
      plan.t24 = keepThreshold24(density);
      return plan;
    case 'della_magprune': {
      if (density >= 1) return plan;
      const lowP = density - epsilon;
      const highP = density + epsilon;
      if (!(lowP > 0 && highP < 1)) {
        throw new GpuMergeError(
          `${job.tensorName}: della needs 0 < density − epsilon and density + epsilon < 1 (density ${density}, epsilon ${epsilon})`,
        );
      }
      const table = new Uint32Array(rowLen * 2);
      for (let rank = 0; rank < rowLen; rank++) {
        const r = rowLen > 1 ? rank / (rowLen - 1) : 0.5;
        const p = lowP + 2 * epsilon * r;
        table[rank * 2] = keepThreshold24(p);
        table[rank * 2 + 1] = f32Bits(p);
      }
      plan.mode = MODE.della;
      plan.row = {
        model: m,
        kind: 'della',
        key: streamKey(job.seed, m, nameHash(job.tensorName)),
        table,
      };
      return plan;
    }
    default:
      throw new GpuMergeError(`${job.tensorName}: unknown sparsifier ${String(job.sparsifier)}`);
  }
}

/**
 * A band the executor selected over a whole streamed tensor; null keeps everything, an empty
 * band (lo > hi) nothing. Edges that are not f32 values round inwards, as the CPU compares
 * |δ| with them in doubles.
 */
function givenBand(plan: ModelPlan, band: TensorBand | null): ModelPlan {
  if (band === null) return plan;
  if (!(band.lo <= band.hi)) {
    plan.mode = MODE.none;
    return plan;
  }
  plan.mode = MODE.band;
  plan.lo = f32CeilBits(band.lo);
  plan.hi = f32FloorBits(band.hi);
  const { tieEnd, loTieBegin, hiTieEnd } = band;
  if (tieEnd !== undefined || loTieBegin !== undefined || hiTieEnd !== undefined) {
    // The edges are f32 values of |δ| (exact bits), so "tied with an edge" is bit equality.
    plan.mode = MODE.bandCut;
    plan.cuts = [loTieBegin ?? 0, tieEnd ?? NO_CUT, hiTieEnd ?? NO_CUT].map(u32Index) as [
      number,
      number,
      number,
    ];
  }
  return plan;
}

/** A flat tensor index as the kernel's u32 (tensors beyond 2³² elements are refused). */
function u32Index(i: number): number {
  if (!(i >= 0 && i <= NO_CUT)) throw new GpuMergeError(`tie cut index ${i} out of range`);
  return i;
}
