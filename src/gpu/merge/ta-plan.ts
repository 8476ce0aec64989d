/**
 * Resolves each model's sparsifier of a task-arithmetic job into one keep mode of ta.wgsl,
 * following src/merge/cpu/sparsify.ts rule by rule (bands, DARE thresholds, DELLA rank tables).
 */
import { type TaskArithmeticJob, nameHash, streamKey } from '../../merge';
import type { RowTask } from './row-sort';
import { GpuMergeError } from './packed-inputs';
import { f32Bits, f32CeilBits, f32FloorBits, keepThreshold24 } from './bits';

export const MODE = { all: 0, band: 1, rowBand: 2, random: 3, della: 4, none: 5 } as const;
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
  l1: number;
  /** Per-tensor band edges still to select: descending ranks (0-based). */
  bandRanks?: { lo: number; hi: number | undefined };
  row?: RowTask;
}

/** The Breadcrumbs band of a segment of n elements (magnitude = γ 0), as sparsify.ts. */
function band(
  n: number,
  density: number,
  gamma: number,
): { all: true } | { none: true } | { skipTop: number; last: number } {
  if (density >= 1 && gamma <= 0) return { all: true };
  const keep = Math.floor(density * n);
  let nTop = Math.floor(gamma * n);
  const nBot = n - keep - nTop;
  if (nBot < 0) nTop += nBot;
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
      const g = job.sparsifier === 'magnitude' ? 0 : gamma;
      const n = job.rowWise ? rowLen : job.numel;
      const b = band(n, density, g);
      if ('all' in b) return plan;
      if ('none' in b) {
        plan.mode = MODE.none;
        return plan;
      }
      if (job.rowWise) {
        plan.mode = MODE.rowBand;
        plan.row = {
          model: m,
          kind: 'band',
          none: false,
          loIndex: n - 1 - b.last,
          hiIndex: n - 1 - b.skipTop,
        };
      } else {
        plan.mode = MODE.band;
        // skipTop 0: the upper edge is the maximum, which every element satisfies anyway.
        plan.bandRanks = { lo: b.last, hi: b.skipTop > 0 ? b.skipTop : undefined };
      }
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
function givenBand(plan: ModelPlan, band: { lo: number; hi: number } | null): ModelPlan {
  if (band === null) return plan;
  if (!(band.lo <= band.hi)) {
    plan.mode = MODE.none;
    return plan;
  }
  plan.mode = MODE.band;
  plan.lo = f32CeilBits(band.lo);
  plan.hi = f32FloorBits(band.hi);
  return plan;
}
