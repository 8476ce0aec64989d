/**
 * WebGPU twin of src/merge/cpu/task-arithmetic.ts + sparsify.ts (TA, TIES, DARE, Breadcrumbs,
 * DELLA). Per-model keep rules are resolved here into one of the modes of ta.wgsl; whole-tensor
 * statistics (radix-selected bands, l1 sums) stream over the chunks before the merge pass.
 */
import type { TaskArithmeticJob } from '../../merge/backend';
import { nameHash, streamKey } from '../../merge/random';
import { rowLength } from '../../merge/cpu/unpack';
import type { GpuRuntime } from '../runtime/runtime';
import {
  accumulatePartials,
  encodeGroups,
  encodeThreads,
  reduceGridWords,
  reduceGroups,
  reduceShape,
  UniformWriter,
} from './encode';
import {
  GpuMergeError,
  PackedInputs,
  packedDtypes,
  planChunkLength,
  validateInputs,
  type BoundChunk,
} from './packed-inputs';
import { selectAbsDeltaBits, type RankQuery } from './radix-select';
import { nextPow2, rowStatistics, type RowTask } from './row-sort';
import { f32Bits, f32CeilBits, keepThreshold24 } from './bits';

const MODE = { all: 0, band: 1, rowBand: 2, random: 3, della: 4, none: 5 } as const;
const INF_BITS = 0x7f800000;
const MAX_MODELS = 63;

interface ModelPlan {
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

function planModel(job: TaskArithmeticJob, m: number, rowLen: number): ModelPlan {
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

const CONSENSUS = { none: 0, sum: 1, count: 2 } as const;
const RESCALE = { none: 0, l1: 1, inverse_density: 2 } as const;

export class TaskArithmeticRun {
  private readonly plans: ModelPlan[];
  private readonly inputs: PackedInputs;
  private readonly rowLen: number;
  private readonly rowWork: boolean;
  private readonly usesKeepP: boolean;
  private prepared: { index: number; rowBand: GPUBuffer; keepP: GPUBuffer } | undefined;

  constructor(
    private readonly rt: GpuRuntime,
    private readonly job: TaskArithmeticJob,
  ) {
    const K = job.models.length;
    if (K > MAX_MODELS)
      throw new GpuMergeError(`${job.tensorName}: at most ${MAX_MODELS} models on the GPU`);
    validateInputs(job.tensorName, job.numel, [
      ['base', job.base],
      ...job.models.map((r, m): [string, typeof r] => [`model ${m}`, r]),
    ]);
    this.rowLen = rowLength(job.shape, job.numel);
    this.plans = job.models.map((_, m) => planModel(job, m, this.rowLen));
    this.rowWork = this.plans.some((p) => p.row !== undefined);
    this.usesKeepP = this.plans.some((p) => p.mode === MODE.della);
    const other = [4];
    if (this.usesKeepP) other.push(4 * K);
    if (this.rowWork) other.push((4 * nextPow2(this.rowLen)) / this.rowLen);
    const chunkLen = planChunkLength(
      job.tensorName,
      job.numel,
      [job.base.dtype, ...job.models.map((r) => r.dtype)],
      rt.maxBinding,
      this.rowWork
        ? { otherBytesPerElement: other, rowLen: this.rowLen }
        : { otherBytesPerElement: other },
    );
    this.inputs = new PackedInputs(rt, [job.base, ...job.models], job.numel, chunkLen);
  }

  /** Per-tensor radix-selected band edges, then the l1 factors. */
  private async resolveStatistics(): Promise<void> {
    const queries: RankQuery[] = [];
    const targets: [ModelPlan, 'lo' | 'hi'][] = [];
    this.plans.forEach((p, m) => {
      if (!p.bandRanks) return;
      queries.push({ model: m, k: p.bandRanks.lo + 1 });
      targets.push([p, 'lo']);
      if (p.bandRanks.hi !== undefined) {
        queries.push({ model: m, k: p.bandRanks.hi + 1 });
        targets.push([p, 'hi']);
      }
    });
    const bits = await selectAbsDeltaBits(this.rt, this.inputs, this.job.models.length, queries);
    targets.forEach(([p, edge], i) => (p[edge] = bits[i] as number));
    if (this.job.rescale === 'l1') await this.resolveL1();
  }

  private async resolveL1(): Promise<void> {
    const K = this.job.models.length;
    const sums = Array.from({ length: 2 * K }, () => new Float64Array(1));
    for (let c = 0; c < this.inputs.chunkCount; c++) {
      const chunk = this.inputs.bind(c);
      const shape = reduceShape(2 * K, chunk.len, chunk.len);
      const partials = await this.reduce(chunk, 'l1_sums', shape);
      accumulatePartials(partials, shape, sums, 0);
    }
    this.plans.forEach((p, m) => {
      const before = sums[2 * m]![0] as number;
      const after = sums[2 * m + 1]![0] as number;
      p.l1 = before < 1e-7 || after < 1e-7 ? 1 : before / after;
    });
  }

  /** Row-wise statistics of the chunk (cached while the same chunk stays bound). */
  private async prepare(chunk: BoundChunk): Promise<{ rowBand: GPUBuffer; keepP: GPUBuffer }> {
    if (this.prepared?.index === chunk.index) return this.prepared;
    this.releasePrepared();
    const K = this.job.models.length;
    const rows = Math.max(1, Math.ceil(chunk.len / this.rowLen));
    const rowBand = this.rt.storage(this.rowWork ? K * rows * 8 : 16, 'row-band');
    const keepP = this.rt.storage(this.usesKeepP ? K * chunk.len * 4 : 16, 'keep-p');
    const tasks = this.plans.flatMap((p) => (p.row ? [p.row] : []));
    if (tasks.length > 0)
      await rowStatistics(this.rt, this.inputs, chunk, this.rowLen, K, tasks, rowBand, keepP);
    this.prepared = { index: chunk.index, rowBand, keepP };
    return this.prepared;
  }

  private releasePrepared(): void {
    if (!this.prepared) return;
    void this.rt.release([this.prepared.rowBand, this.prepared.keepP]);
    this.prepared = undefined;
  }

  private async uniforms(chunk: BoundChunk, grid: number[]): Promise<[GPUBuffer, GPUBuffer]> {
    const j = this.job;
    const K = j.models.length;
    const params = new UniformWriter()
      .u32(chunk.len, chunk.start, K, CONSENSUS[j.consensus], j.zeroSign === 'majority' ? 1 : 0)
      .f32(j.majoritySign)
      .u32(j.normalize ? 1 : 0, RESCALE[j.rescale])
      .f32(j.lambda, j.deltaScale)
      .u32(this.rowLen, Math.max(1, Math.ceil(chunk.len / this.rowLen)), ...grid)
      .padTo(16);
    const table = new UniformWriter();
    for (const p of this.plans) {
      table.f32(p.weight, p.p, p.l1, 0).u32(p.mode, p.lo, p.hi, p.key).u32(p.t24, 0, 0, 0);
    }
    table.padTo(MAX_MODELS * 12);
    return Promise.resolve([this.rt.uniform(params.bytes()), this.rt.uniform(table.bytes())]);
  }

  private async bindings(chunk: BoundChunk, grid: number[], out: GPUBuffer, outSize: number) {
    const { rowBand, keepP } = await this.prepare(chunk);
    const [params, table] = await this.uniforms(chunk, grid);
    return {
      bindings: {
        ...this.inputs.bindings(chunk),
        2: params,
        3: table,
        4: rowBand,
        5: keepP,
        6: { buffer: out, size: outSize },
      },
      uniforms: [params, table],
    };
  }

  private async reduce(
    chunk: BoundChunk,
    entry: 'l1_sums' | 'sign_sums',
    shape: ReturnType<typeof reduceShape>,
  ) {
    const groups = reduceGroups(shape);
    const out = this.rt.storage(groups * 4, 'partials');
    const { bindings, uniforms } = await this.bindings(
      chunk,
      reduceGridWords(shape),
      out,
      groups * 4,
    );
    const encoder = this.rt.device.createCommandEncoder({ label: entry });
    encodeGroups(
      this.rt,
      encoder,
      this.rt.pipeline('ta', ['common', 'random', 'reduce_common'], entry),
      bindings,
      groups,
    );
    const partials = new Float32Array(await this.rt.read(out, 0, groups * 4, encoder));
    await this.rt.release([out, ...uniforms]);
    return partials;
  }

  async merge(): Promise<Float32Array> {
    const result = new Float32Array(this.job.numel);
    if (this.job.numel === 0) return result;
    let t = performance.now();
    for (let c = 0; c < this.inputs.chunkCount && this.inputs.resident; c++) this.inputs.bind(c);
    t = await this.rt.phase('upload', t);
    await this.resolveStatistics();
    t = await this.rt.phase('statistics', t);
    const pipeline = this.rt.pipeline('ta', ['common', 'random', 'reduce_common'], 'merge', {
      MODELS: this.job.models.length,
      PACKED_DTYPES: packedDtypes([this.job.base, ...this.job.models]),
    });
    for (let c = 0; c < this.inputs.chunkCount; c++) {
      const chunk = this.inputs.bind(c);
      const out = this.rt.storage(chunk.len * 4, 'merged');
      const { bindings, uniforms } = await this.bindings(chunk, [0, 0, 0, 0], out, chunk.len * 4);
      let encoder = this.rt.device.createCommandEncoder({ label: 'ta merge' });
      encodeThreads(this.rt, encoder, pipeline, bindings, chunk.len);
      if (this.rt.profiling) {
        this.rt.device.queue.submit([encoder.finish()]);
        t = await this.rt.phase('merge kernel', t);
        encoder = this.rt.device.createCommandEncoder({ label: 'readback' });
      }
      result.set(new Float32Array(await this.rt.read(out, 0, chunk.len * 4, encoder)), chunk.start);
      await this.rt.release([out, ...uniforms]);
      t = await this.rt.phase('readback', t);
    }
    return result;
  }

  /** Σ sign(S) of the raw election statistic (official-TIES majority pre-pass). */
  async signSum(): Promise<number> {
    if (this.job.consensus === 'none' || this.job.numel === 0) return 0;
    await this.resolveStatistics();
    const sums = [new Float64Array(1)];
    for (let c = 0; c < this.inputs.chunkCount; c++) {
      const chunk = this.inputs.bind(c);
      const shape = reduceShape(1, chunk.len, chunk.len);
      accumulatePartials(await this.reduce(chunk, 'sign_sums', shape), shape, sums, 0);
    }
    return sums[0]![0] as number;
  }

  dispose(): void {
    this.releasePrepared();
    this.inputs.dispose();
  }
}
