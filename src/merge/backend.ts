/**
 * The contract between the merge executor and its compute backends (CPU reference in
 * src/merge/cpu, WebGPU kernels in src/gpu). The executor resolves every parameter and every
 * model-scope statistic *before* it hands a tensor to a backend, so a backend only ever sees
 * one tensor's worth of numbers and both backends can be compared on the same job.
 *
 * Owner: src/merge. Changes here must be mirrored by both backends.
 *
 * Additive extensions since the first version (all optional, nothing breaks without them):
 * - `MergeBackend.electedSignSum?` for the official-TIES majority-sign pre-pass (the executor
 *   falls back to the CPU reference when a backend lacks it);
 * - `TensorResult.nonFinite?` (the executor counts when it is absent);
 * - the MagnitudeSelector pass protocol is spelled out below (needsAnotherPass closes a pass),
 *   and `MagnitudeSelector.closePass?()` is awaited before needsAnotherPass() when present;
 * - `JobBase.splitRow?` marks a chunk job a backend may split into row ranges.
 * - `TensorMethodJob` (kind `tensor_method`): the catalogue's whole-tensor methods (SVD
 *   merges, PCB, EMR, mergekit's newer methods), one kind for all, naming the method and
 *   carrying its resolved parameters as data.
 */
import type { FloatDtype } from '../io/types';

/** Raw little-endian bytes of one tensor as stored in the checkpoint (numel elements). */
export interface RawTensor {
  dtype: FloatDtype;
  bytes: Uint8Array;
}

export type Consensus = 'none' | 'sum' | 'count';

/**
 * A per-tensor keep band of one model: keep lo ≤ |δ| ≤ hi. mergekit's exactly-k trims
 * (src/merge/exact-k.ts) keep only some of an edge value's ties, chosen by flat tensor index:
 * - `tieEnd` (TIES' magnitude trim): |δ| = lo only at an index < tieEnd — the first
 *   k − #{|δ| > lo} ties in index order (a stable descending sort's first k);
 * - `loTieBegin` (Breadcrumbs): |δ| = lo only at an index ≥ loTieBegin — a stable ascending
 *   sort drops the lowest-index ties at the bottom of its kept slice;
 * - `hiTieEnd` (Breadcrumbs): |δ| = hi only at an index < hiTieEnd — and the highest-index
 *   ties at its top.
 */
export interface TensorBand {
  lo: number;
  hi: number;
  tieEnd?: number;
  loTieBegin?: number;
  hiTieEnd?: number;
}
export type Sparsifier = 'none' | 'magnitude' | 'random' | 'magnitude_outliers' | 'della_magprune';
export type RescaleMode = 'none' | 'l1' | 'inverse_density';
/**
 * How an elected sign of exactly 0 resolves: mergekit takes +1 (Σ ≥ 0); official TIES takes
 * the majority sign of the whole elected-sign vector, computed by the executor's pre-pass.
 */
export type ZeroSignRule = 'positive' | 'majority';

interface JobBase {
  tensorName: string;
  /**
   * `BF16`: compute as mergekit does with `dtype: bfloat16` (src/merge/cpu/bf16.ts; linear and
   * task-arithmetic jobs with mergekit's options only; chunks carry their bf16 statistics).
   * Absent: f32.
   */
  computeDtype?: 'BF16';
  shape: number[];
  numel: number;
  /**
   * Optional: `numel` floats (contents undefined) the backend may write the merge into and
   * return as `merged`, so a streamed merge reuses a few output buffers instead of allocating
   * one per chunk (in Node that garbage cost ≈ 20 % of a task-arithmetic merge in GC). A
   * backend that fills it overwrites every element; any backend may ignore it.
   */
  output?: Float32Array;
  /**
   * Set by the executor on a chunk of a streamed tensor, whose every statistic is resolved:
   * each output element depends only on the same element of the inputs (on its row, for
   * per-row selections), so a backend may split the job further into ranges of whole rows of
   * this many elements, each computed as a chunk of its own (e.g. one per thread). Absent on
   * whole-tensor jobs, which compute their own per-tensor statistics.
   */
  splitRow?: number;
}

/** `job.output` when it is exactly the job's size, else a fresh array. */
export function outputArray(job: { numel: number; output?: Float32Array }): Float32Array {
  return job.output?.length === job.numel ? job.output : new Float32Array(job.numel);
}

/** The generalized task-arithmetic engine: TA, TIES, DARE(-TIES), Breadcrumbs(-TIES), DELLA. */
export interface TaskArithmeticJob extends JobBase {
  kind: 'task_arithmetic';
  base: RawTensor;
  models: RawTensor[];
  /** Per model, already resolved for this tensor (gradients / filters applied). */
  weights: number[];
  densities: number[];
  /** Breadcrumbs γ (fraction of largest to drop), per model. */
  gammas: number[];
  /** DELLA ε, per model. */
  epsilons: number[];
  consensus: Consensus;
  sparsifier: Sparsifier;
  rescale: RescaleMode;
  normalize: boolean;
  lambda: number;
  seed: number;
  zeroSign: ZeroSignRule;
  /** ±1 (or 0): the majority elected sign over the whole model, when zeroSign = 'majority'. */
  majoritySign: number;
  /**
   * Magnitude trimming at model scope: per model, keep |δ| ≥ threshold (ties kept, as the
   * official TIES code). When absent, magnitude trimming is per tensor and keeps exactly
   * k = floor(density·numel) entries as mergekit does: |δ| above the k-th largest, then the
   * ties in flat-index order (src/merge/exact-k.ts; row-wise trims keep their ties).
   */
  modelScopeThresholds?: number[];
  /**
   * Per model, the keep band lo ≤ |δ| ≤ hi of this tensor's per-tensor magnitude trim or
   * Breadcrumbs selection (null = keep every δ), computed by the executor over the whole tensor
   * when it streams a large tensor in chunks; replaces the per-tensor selection of this job.
   */
  tensorBands?: (TensorBand | null)[];
  /**
   * Per model, the l1 rescale factor ‖δ‖₁/‖kept‖₁ of the whole tensor (1 = not rescaled),
   * computed by the executor for a streamed tensor; replaces the job's own l1 sums.
   */
  l1Factors?: number[];
  /**
   * Flat index in the tensor of this job's element 0 (a chunk of a streamed tensor): DARE's
   * random stream is indexed by the element's index in the whole tensor. 0 when absent.
   */
  elementOffset?: number;
  /** Sparsify per row (last dim) instead of per tensor (official Breadcrumbs). */
  rowWise: boolean;
  /** Extra multiplier on the merged delta (LiNeS layer scaling); 1 when unused. */
  deltaScale: number;
  /**
   * TIES `elect: unweighted`: the sign is elected on the unweighted sparsified deltas and the
   * weights apply to the agreeing entries afterwards (AdaMerging++, ties-selection.ts), not on
   * WDₜ = wₜ·δₜ (mergekit). Merged on the CPU path whatever the backend. Absent: weighted.
   */
  electUnweighted?: boolean;
}

export interface LinearJob extends JobBase {
  kind: 'linear';
  models: RawTensor[];
  weights: number[];
  normalize: boolean;
}

export interface SlerpJob extends JobBase {
  kind: 'slerp';
  a: RawTensor;
  b: RawTensor;
  t: number;
  /**
   * The two coefficients from the whole tensor's norms and dot, computed by the executor for
   * a chunk of a streamed tensor; replaces the job's own reductions.
   */
  coefficients?: { s0: number; s1: number };
}

export interface ModelStockJob extends JobBase {
  kind: 'model_stock';
  base: RawTensor;
  models: RawTensor[];
  filterWise: boolean;
  /**
   * t of the whole tensor (not filterWise), computed by the executor for a chunk of a streamed
   * tensor; replaces the job's own cosines.
   */
  t?: number;
}

/** Consensus / TALL masks on top of a task-arithmetic or TIES τ_MTL. */
export interface ConsensusJob extends JobBase {
  kind: 'consensus';
  base: RawTensor;
  models: RawTensor[];
  /** λₜ per task for the TALL mask |τₜ| > λₜ·|τ_MTL − τₜ|. */
  maskLambdas: number[];
  /** Keep τ_MTL where at least k task masks agree. */
  k: number;
  alpha: number;
  /** Also return θ₀ + mₜ⊙τ_MTL for every task (compressed task models). */
  emitTaskModels: boolean;
}

/**
 * A method of the catalogue (src/merge/cpu/tensor-methods.ts): the method's registry name and
 * its parameters resolved for this tensor. The streamed ones (cpu/streamed-methods.ts) come
 * in element chunks carrying `statistics`; the others are whole-tensor jobs.
 */
export interface TensorMethodJob extends JobBase {
  kind: 'tensor_method';
  method: string;
  /** The method takes a base model: the first input is θ₀ (`base`). */
  hasBase: boolean;
  base?: RawTensor;
  models: RawTensor[];
  global: Record<string, number | boolean | string>;
  /** One record per model in `models`. */
  perModel: Record<string, number | boolean | string>[];
  /** PCB with `pcb_scope: model`: per task, the whole model's quantiles (cpu/pcb.ts). */
  pcbModel?: PcbTaskStats[];
  /**
   * A chunk of a streamed tensor (cpu/streamed-methods.ts): the whole tensor's sums, one array
   * per pass, made by the executor's reads before the merge read.
   */
  statistics?: number[][];
  /** A chunk's first element in the whole tensor (0 or absent for a whole tensor). */
  elementOffset?: number;
  /** A chunk's whole tensor's shape (its own `shape` is the chunk's). */
  tensorShape?: number[];
}

/**
 * PCB's per-task bounds (cpu/pcb.ts): sorted|τ|[int(D·q)], sorted|τ|[int(D·(1 − q) − 1)],
 * sorted(score)[int(D·(1 − pcb_ratio))] and max(score), over a tensor or the whole model.
 */
export interface PcbTaskStats {
  absLo: number;
  absHi: number;
  scoreLo: number;
  scoreHi: number;
}

export type TensorJob =
  TaskArithmeticJob | LinearJob | SlerpJob | ModelStockJob | ConsensusJob | TensorMethodJob;

/** EMR's per-task modulators of one tensor (src/merge/cpu/emr.ts). */
export interface EmrModulators {
  /** T packed 1-bit masks, ceil(numel/8) bytes each (bit i in byte i >> 3, LSB first). */
  masks: Uint8Array;
  /** Per task: mean |τₜ| and mean |mₜ ⊙ τ_uni| over this tensor (the rescalers' terms). */
  taskMeans: number[];
  maskedMeans: number[];
}

export interface TensorResult {
  /** Fresh values owned by the executor (it may hand them to the sink without a copy). */
  merged: Float32Array;
  /** Only for consensus jobs with emitTaskModels. */
  taskModels?: Float32Array[];
  /** Only for EMR jobs: the tensor's per-task masks and rescaler terms. */
  emr?: EmrModulators;

  /**
   * NaN / ±∞ values in `merged`, when the backend counted them on the way (the CPU SIMD
   * path); the executor counts them itself otherwise (a JS pass over every output).
   */
  nonFinite?: number;
}

/**
 * Streams |δ| of every merged tensor of one model scope and finds, per model, the exact
 * value of the k-th largest |δ| (k = floor(density·N) over all N merged elements), as a full
 * sort would. Must never hold whole models in memory (radix histograms of f32 bit patterns).
 */
export interface MagnitudeSelector {
  /** One tensor's deltas for model m (the executor calls it once per merged tensor and model). */
  add(model: number, base: RawTensor, tuned: RawTensor): Promise<void>;
  /**
   * Optional: the same as add(m, base, models[m]) for every model m of one tensor (or chunk),
   * for selectors that gain from seeing all models at once (one GPU upload of the base).
   * The executor calls it instead of add() when present.
   */
  addAll?(base: RawTensor, models: RawTensor[]): Promise<void>;
  /**
   * Closes the current pass (the executor calls it after every add() of a pass). Returns true
   * when another pass with the same add() calls is needed to refine the thresholds.
   */
  needsAnotherPass(): boolean;
  /**
   * Optional: awaited by the executor right before needsAnotherPass(), for selectors whose
   * state lives elsewhere (a worker thread, the GPU) and must be settled asynchronously.
   */
  closePass?(): Promise<void>;
  /** Thresholds per model (keep |δ| ≥ threshold), valid once needsAnotherPass() is false. */
  thresholds(): number[];
}

/**
 * Input bytes (RawTensor.bytes of jobs and selector calls) belong to the backend only until
 * the call's promise settles: the executor reuses its read buffers for the next chunks, so a
 * backend copies (uploads, decodes) or transfers what it needs before resolving.
 */
export interface MergeBackend {
  readonly name: 'cpu' | 'webgpu';
  /**
   * Optional: elements per streamed chunk this backend prefers (the executor's default
   * otherwise; an explicit executor option wins). A GPU backend holds each chunk's packed
   * inputs on the device too, so smaller chunks cap its memory.
   */
  readonly chunkElements?: number;
  /**
   * Optional: inputs (and streamed chunks' output arrays) in SharedArrayBuffer memory reach
   * this backend without a copy — the Node CPU backend's worker thread reads them in place.
   * The executor then allocates its pooled buffers shared.
   */
  readonly sharedBuffers?: boolean;
  mergeTensor(job: TensorJob): Promise<TensorResult>;
  /**
   * `candidateBytes`: memory the selector may use for its one-read candidate band (a hint;
   * selectors without one ignore it) — per-tensor selections of the executor pass less than
   * the model-scope default.
   */
  createMagnitudeSelector(
    densities: number[],
    totalElements: number,
    candidateBytes?: number,
  ): MagnitudeSelector;
  /**
   * Optional: Σ over the tensor's elements of sign(S), S the raw TIES election statistic
   * (before the zero rule) of this job. The executor sums it over all merged tensors to get
   * the model-wide majority sign for zeroSign = 'majority'.
   */
  electedSignSum?(job: TaskArithmeticJob): Promise<number>;
  dispose(): void;
}
