/**
 * Whole-tensor statistics of a tensor that is streamed in chunks, for the task-arithmetic
 * jobs whose keep rule depends on the whole tensor: the per-tensor magnitude trim (TIES with
 * trim_scope: tensor) and the Breadcrumbs band of every model, radix-selected over the chunks
 * by the backend's MagnitudeSelector (never holding the tensor), then the l1 rescale factors
 * (DARE's default), from running sums in element order — exactly the whole tensor's sums. The
 * chunks of the merge pass then carry these as TaskArithmeticJob.tensorBands / l1Factors, so
 * memory stays at a few chunks whatever the tensor size.
 */
import type {
  MergeBackend,
  RawTensor,
  TaskArithmeticJob,
  TensorBand,
  TensorMethodJob,
} from '../backend';
import { addL1Sums, l1Factor, modelSparsifyOptions, sparsify } from '../cpu/sparsify';
import { addRandomDropL1Sums } from '../cpu/random-drop';
import { bf16Kept, bf16L1Factor } from '../cpu/bf16';
import { bf16DeltaReads } from './bf16-delta-reads';
import { f32View, taskVector } from '../cpu/unpack';
import { F32Scratch } from '../cpu/scratch';
import { breadcrumbsTieCounts, countDeltaAboveAndTied, outlierSlice, pastTie } from '../cpu/select';
import { addSlerpSums, slerpFromSums, type SlerpSums } from '../cpu/slerp';
import { addPairSums, meanCosineFromSums, modelStockT, newPairSums } from '../cpu/model-stock';
import type { JobTemplate, MergeStep } from '../planning/types';
import { chunkRowLength, type WorkUnit } from './chunking';
import { methodInputs, streamedMethod } from '../cpu/tensor-methods';
import { attachUnitInputs } from './inputs';
import { prefetchOneAhead } from './prefetch';

export interface TensorStatistics {
  bands?: (TensorBand | null)[];
  l1Factors?: number[];
  /** Slerp's coefficients from the whole tensor's norms and dot. */
  slerp?: { s0: number; s1: number };
  /** Model Stock's t from the whole tensor's pairwise cosines (not filter-wise). */
  modelStockT?: number;
  /** A streamed catalogue method's sums, one array per pass (cpu/streamed-methods.ts). */
  method?: number[][];
}

export interface StatisticsNeeds {
  bands: boolean;
  /** The bands are mergekit's exactly-k trims (a read may place their tie cuts). */
  tieCut?: boolean;
  l1: boolean;
  /** One read for the whole-tensor sums of slerp or Model Stock. */
  sums?: 'slerp' | 'model_stock';
  /** Reads for a streamed catalogue method's sums. */
  methodPasses?: number;
}

/** What the chunks of this job need from the whole tensor (undefined: nothing). */
export function statisticsNeeded(
  job: JobTemplate,
  modelScope: boolean,
): StatisticsNeeds | undefined {
  // t = 0 / 1 return one input exactly; filter-wise cosines are per row, inside a chunk.
  if (job.kind === 'slerp')
    return job.t === 0 || job.t === 1 ? undefined : { bands: false, l1: false, sums: 'slerp' };
  if (job.kind === 'model_stock')
    return job.filterWise ? undefined : { bands: false, l1: false, sums: 'model_stock' };
  if (job.kind === 'tensor_method') {
    const passes = streamedMethod(job)?.passes(job, job.perModel.length) ?? 0;
    return passes > 0 ? { bands: false, l1: false, methodPasses: passes } : undefined;
  }
  if (job.kind !== 'task_arithmetic') return undefined;
  // Row-wise selections and DELLA's ranks are per row: a chunk of whole rows has them.
  const perRow = job.rowWise || job.sparsifier === 'della_magprune';
  const bands =
    !perRow &&
    ((job.sparsifier === 'magnitude' && !modelScope) || job.sparsifier === 'magnitude_outliers');
  const l1 = job.rescale === 'l1' && job.sparsifier !== 'none';
  if (!bands && !l1) return undefined;
  // Per-tensor bands are mergekit's exactly-k trims: a read may place their tie cuts.
  return bands ? { bands, l1, tieCut: true } : { bands, l1 };
}

/**
 * Passes over the tensor's inputs that tensorStatistics makes at most (for progress totals):
 * two for the band edges and, for mergekit's exactly-k trims, one to place the tie cuts.
 */
export function statisticsPasses(needs: StatisticsNeeds): number {
  return (
    (needs.bands ? (needs.tieCut ? 3 : 2) : 0) +
    (needs.l1 ? 1 : 0) +
    (needs.sums ? 1 : 0) +
    (needs.methodPasses ?? 0)
  );
}

/**
 * The kept band of a segment of n elements as descending 1-based ranks, following
 * src/merge/cpu/sparsify.ts's keepBand (magnitude = γ 0): keep ranks nTop+1 … nTop+keep.
 */
export function bandRanks(
  n: number,
  density: number,
  gamma: number,
): 'all' | 'none' | { lo: number; hi: number | undefined } {
  if (density >= 1 && gamma <= 0) return 'all';
  const { nTop, keep } = outlierSlice(n, density, gamma);
  if (keep <= 0 || nTop >= n) return 'none';
  // nTop 0: the upper edge is the maximum, which every element satisfies anyway.
  return { lo: Math.min(nTop + keep, n), hi: nTop > 0 ? nTop + 1 : undefined };
}

/**
 * A density whose floor(density·n) is exactly k (0 ≤ k ≤ n < 2^50), for asking a
 * MagnitudeSelector — which takes densities — for the k-th largest |δ|: (k + ½)/n·n is within a
 * few ulps of k + ½, so its floor is k.
 */
export function densityForRank(k: number, n: number): number {
  return (k + 0.5) / n;
}

export interface StatisticsContext {
  backend: MergeBackend;
  load: (u: WorkUnit) => Promise<RawTensor[]>;
  recycle: (raws: RawTensor[]) => void;
  /** Model-scope thresholds already selected (TIES trim_scope: model with l1 rescale). */
  thresholds: number[] | undefined;
  /** Called after every unit of every pass, with its bytes. */
  onUnit: (u: WorkUnit, pass: number) => void;
  throwIfAborted: () => void;
}

/** The statistics of one streamed step; `units` are its chunks in element order. */
export async function tensorStatistics(
  step: MergeStep,
  units: WorkUnit[],
  needs: StatisticsNeeds,
  ctx: StatisticsContext,
): Promise<TensorStatistics> {
  if (needs.sums) return sumStatistics(step, units, needs.sums, ctx);
  if (needs.methodPasses) return { method: await methodStatistics(step, units, ctx) };
  const job = step.job as Omit<TaskArithmeticJob, 'base' | 'models' | 'majoritySign'>;
  const stats: TensorStatistics = {};
  let pass = 0;
  // mergekit's bf16 compute trims and sums its bf16 deltas: the passes read those.
  const reads = job.computeDtype === 'BF16' ? bf16DeltaReads(job.tensorName, ctx) : ctx;
  if (needs.bands) stats.bands = await selectBands(job, step.numel, units, reads, () => pass++);
  if (needs.l1) stats.l1Factors = await l1Factors(step, units, stats.bands, reads, pass++);
  return stats;
}

/**
 * The one-read candidate band's budget for a per-tensor selection: 1/16 of the tensor per
 * query (at least 64 Ki entries; the threshold's 2^-16-wide bin holds well under 1 % of a
 * tensor), at most 8 MiB in all — the model-scope default's 64 MiB would be a large share of
 * a streamed merge's memory, and it is allocated anew for every tensor. (A 16 MiB cap put
 * Breadcrumbs' 16 band edges at the memory target on Node WebGPU; 1/32 per query made
 * per-tensor TIES re-read one tensor of the bench pool, whose 8 edges fit 8 MiB at 1/16.)
 */
export function candidateBytesFor(numel: number, queries: number): number {
  const perQuery = Math.max(1 << 16, Math.ceil(numel / 16));
  return Math.min(8 * 1024 * 1024, 4 * perQuery * queries);
}

/** One selector query: a band edge of a model, or the rank next to it (tie detection). */
interface EdgeQuery {
  model: number;
  edge: 'lo' | 'hi' | 'belowLo';
  k: number;
}

/**
 * The queries of one model's band: its edges, and for TIES' exactly-k trim the (k+1)-th
 * largest too — equal to the k-th exactly when some of its ties must go. Breadcrumbs asks no
 * neighbours: its two more ranks per model (one f64 histogram each per selector share) took
 * the CLI to 348–362 MiB on the 2 GB pool against 298–313 without; its cuts are decided by the
 * counting read instead (placeTieCuts), which it then always makes.
 */
function edgeQueries(
  model: number,
  ranks: { lo: number; hi: number | undefined },
  n: number,
  sparsifier: TaskArithmeticJob['sparsifier'],
) {
  const queries: EdgeQuery[] = [{ model, edge: 'lo', k: ranks.lo }];
  if (sparsifier === 'magnitude' && ranks.lo < n) {
    queries.push({ model, edge: 'belowLo', k: ranks.lo + 1 });
  }
  if (ranks.hi !== undefined) queries.push({ model, edge: 'hi', k: ranks.hi });
  return queries;
}

async function selectBands(
  job: Omit<TaskArithmeticJob, 'base' | 'models' | 'majoritySign'>,
  n: number,
  units: WorkUnit[],
  ctx: StatisticsContext,
  nextPass: () => number,
): Promise<(TensorBand | null)[]> {
  const K = job.weights.length;
  const bands: (TensorBand | null)[] = [];
  const slices: ({ nTop: number; keep: number } | undefined)[] = [];
  const queries: EdgeQuery[] = [];
  for (let m = 0; m < K; m++) {
    const gamma = job.sparsifier === 'magnitude' ? 0 : (job.gammas[m] ?? 0);
    const density = job.densities[m] ?? 1;
    const ranks = bandRanks(n, density, gamma);
    slices.push(outlierSlice(n, density, gamma));
    if (ranks === 'all') bands.push(null);
    else if (ranks === 'none') bands.push({ lo: Infinity, hi: -Infinity });
    else {
      bands.push({ lo: Infinity, hi: Infinity });
      queries.push(...edgeQueries(m, ranks, n, job.sparsifier));
    }
  }
  if (queries.length === 0) return bands;
  const selector = ctx.backend.createMagnitudeSelector(
    queries.map((q) => densityForRank(q.k, n)),
    n,
    candidateBytesFor(n, queries.length),
  );
  do {
    const pass = nextPass();
    for await (const { item, value: raws } of prefetchOneAhead(units, ctx.load)) {
      ctx.throwIfAborted();
      const tuned = queries.map((q) => raws[1 + q.model]!);
      if (selector.addAll) await selector.addAll(raws[0]!, tuned);
      else for (let q = 0; q < tuned.length; q++) await selector.add(q, raws[0]!, tuned[q]!);
      ctx.recycle(raws);
      ctx.onUnit(item, pass);
    }
    await selector.closePass?.();
  } while (selector.needsAnotherPass());
  const thresholds = selector.thresholds() as number[];
  queries.forEach((q, i) => {
    if (q.edge === 'lo' || q.edge === 'hi') bands[q.model]![q.edge] = thresholds[i]!;
  });
  const cuts: TieCutTask[] = [];
  queries.forEach((q, i) => {
    const band = bands[q.model]!;
    const slice = slices[q.model]!;
    if (q.edge === 'belowLo' && thresholds[i] === band.lo) {
      cuts.push(loCut(job.sparsifier, q.model, band.lo, slice));
    }
    // Breadcrumbs: every edge may need a cut; the counts decide (a cut of 0 ties is none).
    if (job.sparsifier === 'magnitude_outliers' && q.edge === 'lo') {
      cuts.push(loCut(job.sparsifier, q.model, band.lo, slice));
    }
    if (job.sparsifier === 'magnitude_outliers' && q.edge === 'hi') {
      cuts.push({ model: q.model, field: 'hiTieEnd', value: band.hi, ordinal: hiOrdinal(slice) });
    }
  });
  if (cuts.length > 0) await placeTieCuts(job, units, bands, cuts, ctx, nextPass());
  else nextPass();
  return bands;
}

/**
 * One edge's tie cut to place: the band's `field` becomes the index just past the
 * `ordinal(above, tied)`-th element (1-based, in index order) with |δ| = value, where above /
 * tied count the tensor's |δ| > value and = value.
 */
interface TieCutTask {
  model: number;
  field: 'tieEnd' | 'loTieBegin' | 'hiTieEnd';
  value: number;
  /** 0 or undefined: no tie of this edge is dropped (only Breadcrumbs' edges say so). */
  ordinal: (above: number, tied: number) => number | undefined;
}

/** The lower edge's cut: TIES keeps its first ties, Breadcrumbs drops them (select.ts). */
function loCut(
  sparsifier: TaskArithmeticJob['sparsifier'],
  model: number,
  value: number,
  slice: { nTop: number; keep: number },
): TieCutTask {
  if (sparsifier === 'magnitude') {
    return { model, field: 'tieEnd', value, ordinal: (above) => slice.keep - above };
  }
  return {
    model,
    field: 'loTieBegin',
    value,
    ordinal: (above, tied) =>
      breadcrumbsTieCounts({ above, tied }, undefined, slice.nTop, slice.keep).dropLo,
  };
}

/** Breadcrumbs' upper edge: its first ties are kept (select.ts's breadcrumbsTieCounts). */
function hiOrdinal(slice: { nTop: number; keep: number }) {
  return (above: number, tied: number) =>
    breadcrumbsTieCounts({ above: 0, tied: 0 }, { above, tied }, slice.nTop, slice.keep).keepHi;
}

/**
 * One read placing every cut: per chunk, the count of |δ| above each cut's value and tied with
 * it; then each chunk holding some cut's tie is read once more to find their indices. δ is the
 * CPU's f32 θₜ − θ₀, as every backend computes it (bf16 compute: the bf16 δₜ, read over a zero
 * base).
 */
async function placeTieCuts(
  job: Omit<TaskArithmeticJob, 'base' | 'models' | 'majoritySign'>,
  units: WorkUnit[],
  bands: (TensorBand | null)[],
  cuts: TieCutTask[],
  ctx: StatisticsContext,
  pass: number,
): Promise<void> {
  const scratch = new F32Scratch();
  const deltaOf = (item: WorkUnit, raws: RawTensor[], m: number) => {
    const len = item.end - item.begin;
    const base = f32View(raws[0]!, len, `${job.tensorName} (base)`);
    const tuned = f32View(raws[1 + m]!, len, `${job.tensorName} (model ${m})`);
    return taskVector(base, tuned, scratch.get(0, len));
  };
  const above = cuts.map(() => 0);
  const ties = cuts.map((): number[] => []);
  for await (const { item, value: raws } of prefetchOneAhead(units, ctx.load)) {
    ctx.throwIfAborted();
    // One pass per model and chunk, whatever the number of its cuts (Breadcrumbs: two, which
    // are consecutive in `cuts`).
    const len = item.end - item.begin;
    const base = f32View(raws[0]!, len, `${job.tensorName} (base)`);
    for (let j = 0; j < cuts.length;) {
      const { model, value } = cuts[j]!;
      const pair = cuts[j + 1]?.model === model;
      const tuned = f32View(raws[1 + model]!, len, `${job.tensorName} (model ${model})`);
      const counts = countDeltaAboveAndTied(base, tuned, value, pair ? cuts[j + 1]!.value : value);
      for (let c = 0; c < (pair ? 2 : 1); c++, j++) {
        above[j]! += counts[c]!.above;
        ties[j]!.push(counts[c]!.tied);
      }
    }
    ctx.recycle(raws);
    ctx.onUnit(item, pass);
  }
  // Each cut's chunk and its ordinal among that chunk's ties; then one read per such chunk.
  const byUnit = new Map<number, { cut: TieCutTask; need: number }[]>();
  cuts.forEach((cut, j) => {
    const tied = ties[j]!.reduce((x, y) => x + y, 0);
    let need = cut.ordinal(above[j]!, tied);
    if (need === undefined || need <= 0) return; // Every tie of this edge is kept.
    let u = 0;
    while (u < units.length && need > ties[j]![u]!) need -= ties[j]![u++]!;
    if (u >= units.length) {
      throw new Error(`${job.tensorName}: the tie cut of model ${cut.model} was not found`);
    }
    byUnit.set(u, [...(byUnit.get(u) ?? []), { cut, need }]);
  });
  for (const [u, placed] of byUnit) {
    const item = units[u]!;
    const raws = await ctx.load(item);
    for (const { cut, need } of placed) {
      const delta = deltaOf(item, raws, cut.model);
      const past = pastTie(delta, 0, delta.length, cut.value, need);
      if (past === undefined) {
        throw new Error(`${job.tensorName}: the tie cut of model ${cut.model} was not found`);
      }
      bands[cut.model]![cut.field] = item.begin + past;
    }
    ctx.recycle(raws);
  }
}

async function l1Factors(
  step: MergeStep,
  units: WorkUnit[],
  bands: (TensorBand | null)[] | undefined,
  ctx: StatisticsContext,
  pass: number,
): Promise<number[]> {
  const job = step.job as Omit<TaskArithmeticJob, 'base' | 'models' | 'majoritySign'>;
  const K = job.weights.length;
  const sums = Array.from({ length: K }, () => ({ before: 0, after: 0 }));
  const bf16 = job.computeDtype === 'BF16';
  // One task vector and one sparsified copy, reused from model to model and chunk to chunk.
  const scratch = new F32Scratch();
  for await (const { item, value: raws } of prefetchOneAhead(units, ctx.load)) {
    ctx.throwIfAborted();
    const len = item.end - item.begin;
    const base = f32View(raws[0]!, len, `${job.tensorName} (base)`);
    for (let m = 0; m < K; m++) {
      const tuned = f32View(raws[1 + m]!, len, `${job.tensorName} (model ${m})`);
      if (bf16) {
        // The bf16 δₜ itself (bf16DeltaReads), kept and summed as cpu/bf16.ts's merge does.
        const chunkJob = {
          ...job,
          elementOffset: item.begin,
          ...(bands ? { tensorBands: bands } : {}),
        };
        addL1Sums(tuned, bf16Kept(chunkJob, tuned, m, scratch.get(1, len)), sums[m]!);
        continue;
      }
      if (job.sparsifier === 'random') {
        // DARE: the drop is element-wise, so the sums need no sparsified copy (SIMD kernel).
        addRandomDropL1Sums(job, m, { base, tuned }, item.begin, sums[m]!, {
          delta: scratch.get(0, len),
          kept: scratch.get(1, len),
        });
        continue;
      }
      const delta = taskVector(base, tuned, scratch.get(0, len));
      const kept = sparsify(
        delta,
        {
          ...modelSparsifyOptions(job, m),
          rescale: 'none',
          rowLen: chunkRowLength(step) > 1 ? chunkRowLength(step) : len,
          threshold: ctx.thresholds?.[m],
          ...(bands ? { band: bands[m] ?? null } : {}),
          elementOffset: item.begin,
        },
        scratch.get(1, len),
      );
      addL1Sums(delta, kept, sums[m]!);
    }
    ctx.recycle(raws);
    ctx.onUnit(item, pass);
  }
  return sums.map((s) => (bf16 ? bf16L1Factor(s) : l1Factor(s.before, s.after)));
}

/** Slerp's norms and dot, or Model Stock's pairwise sums, in one read of the chunks. */
async function sumStatistics(
  step: MergeStep,
  units: WorkUnit[],
  kind: 'slerp' | 'model_stock',
  ctx: StatisticsContext,
): Promise<TensorStatistics> {
  const what = (i: number) => (i === 0 ? `${step.name} (base)` : `${step.name} (model ${i - 1})`);
  if (kind === 'model_stock' && step.inputs.length < 3)
    throw new Error(`${step.name}: model_stock needs at least 2 models`);
  const slerp: SlerpSums = { aa: 0, bb: 0, ab: 0 };
  const pairs = newPairSums(step.inputs.length - 1);
  // Task vectors of one chunk, reused from chunk to chunk (not K fresh arrays per chunk).
  const scratch = new F32Scratch();
  for await (const { item, value: raws } of prefetchOneAhead(units, ctx.load)) {
    ctx.throwIfAborted();
    const len = item.end - item.begin;
    const views = raws.map((r, i) => f32View(r, len, what(i)));
    if (kind === 'slerp') addSlerpSums(views[0]!, views[1]!, slerp);
    else {
      const taus = views
        .slice(1)
        .map((tuned, m) => taskVector(views[0]!, tuned, scratch.get(m, len)));
      addPairSums(taus, 0, len, pairs);
    }
    ctx.recycle(raws);
    ctx.onUnit(item, 0);
  }
  if (kind === 'slerp') {
    const t = (step.job as { t: number }).t;
    const { s0, s1 } = slerpFromSums(slerp.aa, slerp.bb, slerp.ab, t);
    return { slerp: { s0, s1 } };
  }
  return { modelStockT: modelStockT(meanCosineFromSums(pairs), step.inputs.length - 1) };
}

/**
 * A streamed catalogue method's sums: every pass reads the chunks in element order (each
 * chunk decoded on its own and dropped), so memory is a few chunks of the inputs.
 */
async function methodStatistics(
  step: MergeStep,
  units: WorkUnit[],
  ctx: StatisticsContext,
): Promise<number[][]> {
  const template = step.job as Omit<TensorMethodJob, 'base' | 'models'>;
  const method = streamedMethod(template)!;
  const models = template.perModel.length;
  const stats: number[][] = [];
  for (let pass = 0; pass < method.passes(template, models); pass++) {
    stats[pass] = method.init?.(template, pass, models) ?? [];
    for await (const { item, value: raws } of prefetchOneAhead(units, ctx.load)) {
      ctx.throwIfAborted();
      const job = attachUnitInputs(item, raws, { majoritySign: 0 }) as TensorMethodJob;
      method.add?.(job, pass, methodInputs(job), stats);
      ctx.recycle(raws);
      ctx.onUnit(item, pass);
    }
    method.close?.(template, pass, stats, step.numel);
  }
  return stats;
}
