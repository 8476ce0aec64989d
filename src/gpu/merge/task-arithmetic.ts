/**
 * WebGPU twin of src/merge/cpu/task-arithmetic.ts + sparsify.ts (TA, TIES, DARE, Breadcrumbs,
 * DELLA). Per-model keep rules are resolved by ta-plan.ts into the modes of ta.wgsl. Per-tensor
 * bands come with the job (exact-k.ts: selected on the CPU, mergekit's tie cuts as flat indices
 * that ta.wgsl's MODE_BAND_CUT tests); the l1 sums stream over the chunks before the merge pass.
 */
import { outputArray, type TaskArithmeticJob, type TensorResult, rowLength } from '../../merge';
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
import { nextPow2, rowStatistics } from './row-sort';
import { MAX_MODELS, MODE, planModel, type ModelPlan } from './ta-plan';

const CONSENSUS = { none: 0, sum: 1, count: 2 } as const;
const RESCALE = { none: 0, l1: 1, inverse_density: 2 } as const;
/** ta_vec4.wgsl packs 2 bits per input (base + models) and per model into one u32 override. */
const VEC4_MAX_MODELS = 15;

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

  /**
   * The l1 factors (per-tensor bands come with the job: exact-k.ts's withExactBands selects
   * them on the CPU, cut indices included).
   */
  private async resolveStatistics(): Promise<void> {
    if (this.job.rescale !== 'l1') return;
    const given = this.job.l1Factors;
    if (given) this.plans.forEach((p, m) => (p.l1 = given[m] ?? 1));
    else await this.resolveL1();
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
      await rowStatistics(
        this.rt,
        this.inputs,
        chunk,
        this.rowLen,
        K,
        tasks,
        rowBand,
        keepP,
        this.job.elementOffset ?? 0,
      );
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
      .u32(
        chunk.len,
        chunk.start + (j.elementOffset ?? 0),
        K,
        CONSENSUS[j.consensus],
        j.zeroSign === 'majority' ? 1 : 0,
      )
      .f32(j.majoritySign)
      .u32(j.normalize ? 1 : 0, RESCALE[j.rescale])
      .f32(j.lambda, j.deltaScale)
      .u32(this.rowLen, Math.max(1, Math.ceil(chunk.len / this.rowLen)), ...grid)
      .padTo(16);
    const table = new UniformWriter();
    for (const p of this.plans) {
      table
        .f32(p.weight, p.p, p.l1, 0)
        .u32(p.mode, p.lo, p.hi, p.key)
        .u32(p.t24, ...p.cuts);
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
        // Explicit sizes: a pooled buffer may be larger than one binding allows.
        4: {
          buffer: rowBand,
          size: this.rowWork
            ? this.job.models.length * Math.max(1, Math.ceil(chunk.len / this.rowLen)) * 8
            : 16,
        },
        5: { buffer: keepP, size: this.usesKeepP ? this.job.models.length * chunk.len * 4 : 16 },
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

  async merge(): Promise<TensorResult> {
    // Every chunk below sets its range: the whole array is overwritten.
    const result = outputArray(this.job);
    if (this.job.numel === 0) return { merged: result, nonFinite: 0 };
    let t = performance.now();
    for (let c = 0; c < this.inputs.chunkCount && this.inputs.resident; c++) this.inputs.bind(c);
    t = await this.rt.phase('upload', t);
    await this.resolveStatistics();
    t = await this.rt.phase('statistics', t);
    const simpleKeep =
      this.job.rescale === 'none' &&
      this.plans.every(
        (p) => p.l1 === 1 && (p.mode === MODE.all || p.mode === MODE.band || p.mode === MODE.none),
      );
    if (simpleKeep && this.rt.vectorKernels && this.job.models.length <= VEC4_MAX_MODELS)
      return this.mergeVec4(result, t);
    const pipeline = this.rt.pipeline('ta', ['common', 'random', 'reduce_common'], 'merge', {
      MODELS: this.job.models.length,
      PACKED_DTYPES: packedDtypes([this.job.base, ...this.job.models]),
      CONSENSUS_BAKED: CONSENSUS[this.job.consensus],
      SIMPLE_KEEP: simpleKeep ? 1 : 0,
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
      await this.rt.readRanges(
        [{ source: out, offset: 0, size: chunk.len * 4 }],
        (mapped) => result.set(new Float32Array(mapped), chunk.start),
        encoder,
      );
      await this.rt.release([out, ...uniforms]);
      t = await this.rt.phase('readback', t);
    }
    return { merged: result };
  }

  /** ta_vec4.wgsl's merge4: 4 elements per invocation (SIMPLE_KEEP jobs, ≤ 15 models). */
  private async mergeVec4(result: Float32Array, since: number): Promise<TensorResult> {
    let t = since;
    const keep = this.plans.reduce(
      (acc, p, m) => acc | ((p.mode === MODE.all ? 0 : p.mode === MODE.band ? 1 : 2) << (2 * m)),
      0,
    );
    const pipeline = this.rt.pipeline('ta_vec4', [], 'merge4', {
      MODELS: this.job.models.length,
      DTYPES: packedDtypes([this.job.base, ...this.job.models]),
      KEEP: keep >>> 0,
      CONSENSUS: CONSENSUS[this.job.consensus],
    });
    let nonFinite = 0;
    for (let c = 0; c < this.inputs.chunkCount; c++) {
      const chunk = this.inputs.bind(c);
      const vectors = Math.ceil(chunk.len / 4);
      const out = this.rt.storage(vectors * 16, 'merged');
      const count = this.rt.storage(4, 'non-finite');
      const [params, table] = await this.uniforms(chunk, [0, 0, 0, 0]);
      const raw = { buffer: chunk.raw, size: chunk.rawBytes };
      const bindings = {
        0: raw,
        1: chunk.table,
        2: params,
        3: table,
        4: raw,
        5: { buffer: out, size: vectors * 16 },
        6: { buffer: count, size: 4 },
      };
      let encoder = this.rt.device.createCommandEncoder({ label: 'ta merge4' });
      this.rt.clear(encoder, count, 4);
      encodeThreads(this.rt, encoder, pipeline, bindings, vectors);
      if (this.rt.profiling) {
        this.rt.device.queue.submit([encoder.finish()]);
        t = await this.rt.phase('merge kernel', t);
        encoder = this.rt.device.createCommandEncoder({ label: 'readback' });
      }
      const bytes = chunk.len * 4;
      // Straight from the mapped staging buffer into the result (no intermediate copy).
      nonFinite += await this.rt.readRanges(
        [
          { source: out, offset: 0, size: bytes },
          { source: count, offset: 0, size: 4 },
        ],
        (mapped) => {
          result.set(new Float32Array(mapped, 0, chunk.len), chunk.start);
          return new Uint32Array(mapped, bytes, 1)[0] as number;
        },
        encoder,
      );
      await this.rt.release([out, count, params, table]);
      t = await this.rt.phase('readback', t);
    }
    return { merged: result, nonFinite };
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

  /** Resolves once the inputs' buffers are back in the pool (see PackedInputs.dispose). */
  dispose(): Promise<void> {
    this.releasePrepared();
    return this.inputs.dispose();
  }
}
