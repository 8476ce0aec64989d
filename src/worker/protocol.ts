/**
 * The typed message protocol between the studio UI and its worker. Every request carries an id;
 * the worker answers it with exactly one `result` or `error`, and may send `event`s tagged with
 * the same id before that (progress, per-checkpoint outcomes). `cancel` aborts a request: the
 * worker answers it with an error of code `cancelled`.
 *
 * Adding a feature = one entry in `Methods` (params, result, events) + one handler in the
 * worker. The UI never sees a stack trace: errors cross the boundary as `WireError`.
 */
import type { Dtype } from '../io/types';
import type { AdapterDescription } from '../gpu';
import type { Progress } from '../core';
import type { MethodDefinition, Recipe } from '../merge';
import type { AdaMergingOptions, AdaMergingResult, EvalEvent, StepEvent } from '../adapt';
import type { LayerNorms, TaskVectorAnalysis } from '../analysis';
import type { ClipMethods } from './clip/protocol';
import type { SimoMethods } from './simo/protocol';

export type { Progress, MethodDefinition, Recipe };
export type { AdaMergingOptions, AdaMergingResult, EvalEvent, StepEvent };
export type { LayerNorms, TaskVectorAnalysis };

/** Where a merge writes: memory (bytes come back, transferred) or a file the user picked. */
export type MergeTarget =
  { kind: 'memory'; fileName: string } | { kind: 'file'; handle: FileSystemFileHandle };

/** What the demo zoo offers (or why it is not there). */
export type DemoInfo =
  { available: true; tasks: string[]; headPrefix: string } | { available: false; reason: string };

export interface MergeOutcome {
  fileName: string;
  device: 'webgpu' | 'cpu';
  tensors: number;
  merged: number;
  copied: number;
  bytesWritten: number;
  seconds: number;
  /** NaN/Inf values in the merged tensors (0 for sane inputs). */
  nonFinite: number;
  warnings: string[];
  /** The merged safetensors file, for the memory target (its buffer is transferred). */
  bytes?: Uint8Array;
  /** EMR only: the per-task modulators file (1-bit masks + rescalers, the CLI's
   * `merge --modulators` format), transferred, and its name beside the merged file. */
  modulators?: { fileName: string; bytes: Uint8Array; rescalers: number[] };
}

// ---------------------------------------------------------------- shared value types

/** Which compute path runs: WebGPU kernels, or the wasm/CPU fallback. */
export type ComputeDevice = 'webgpu' | 'wasm' | 'cpu';

/** `auto`: use WebGPU when there is an adapter; `off`: the user forced the fallback;
 * `unavailable`: the page itself has no WebGPU API. */
export type GpuPreference = 'auto' | 'off' | 'unavailable';

/**
 * Where tfjs work (evaluation, Live, AdaMerging's evaluations) runs: `auto` measures (or
 * reuses the page's remembered measurement); `wasm` / `webgpu` force it (URL flags, tests).
 */
export type TfPreference = 'auto' | 'wasm' | 'webgpu';

/** The tfjs backend evaluation runs on and how it was chosen (the header shows it). */
export interface TfChoice {
  device: 'webgpu' | 'wasm' | 'cpu';
  /** `measured` now, `remembered` from an earlier visit, forced by the `url`, or the `only` one. */
  how: 'measured' | 'remembered' | 'url' | 'only';
  /** One probe forward pass (64 images of the demo's ViT shape) per candidate, ms. */
  probeMs?: Partial<Record<'webgpu' | 'wasm' | 'cpu', number>>;
}

export interface CapabilityReport {
  /** The adapter the worker picked, with a one-line label for the UI; null without WebGPU. */
  adapter: (AdapterDescription & { label: string }) | null;
  /** Why there is no adapter (shown in the fallback banner), when adapter is null. */
  noGpuReason?: 'no-webgpu-api' | 'no-adapter' | 'disabled';
  device: ComputeDevice;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/** Something the user chose: a file, a handle, or the files of a folder (fallback paths). */
export type CheckpointInput =
  | { kind: 'file'; file: File }
  | { kind: 'fileHandle'; handle: FileSystemFileHandle }
  | { kind: 'directoryHandle'; handle: FileSystemDirectoryHandle }
  /** A folder read through `webkitdirectory` or `webkitGetAsEntry`; paths relative to it. */
  | { kind: 'folderFiles'; name: string; files: { path: string; file: File }[] };

export interface CheckpointSummary {
  id: string;
  name: string;
  /** A single safetensors file, an index + shards, or an HF folder (config.json present). */
  layout: 'single' | 'sharded' | 'hf-folder';
  files: string[];
  tensorCount: number;
  parameterCount: number;
  /** Parameter count per dtype. */
  dtypes: Partial<Record<Dtype, number>>;
  sizeBytes: number;
  /** `architectures[0]` or `model_type` from config.json, when there is one. */
  architecture?: string;
}

/** An error as the UI may show it: a code, a sentence, and what it is about. */
export interface WireError {
  code: string;
  message: string;
  file?: string;
  tensor?: string;
}

/** One finding of the compatibility check; `error`s block a merge, `info`s do not. */
export interface CompatibilityIssue {
  checkpointId: string;
  checkpointName: string;
  severity: 'error' | 'info';
  kind: 'missing' | 'shape' | 'dtype';
  tensor: string;
  /** A full sentence naming checkpoint, tensor and both shapes/dtypes (from src/io). */
  message: string;
}

export interface CompatibilityReport {
  baseId: string;
  taskFilter: string;
  /** True when every non-task-specific tensor matches in name and shape. */
  compatible: boolean;
  /** Issues that block a merge (listed first in `issues`). */
  errorCount: number;
  /** Tensor names matched by the task-specific filter (allowed to differ). */
  taskSpecific: string[];
  /** Number of tensors that will be merged. */
  mergedTensorCount: number;
  /** Errors, then dtype notes (allowed: merging is in f32); task-specific ones left out. */
  issues: CompatibilityIssue[];
  /** Issues beyond the listed ones, counted only (a wrong model has thousands). */
  omittedIssues: number;
}

// ---------------------------------------------------------------- methods

/** Every request the worker understands: its params, its result and the events it emits. */
export interface Methods extends ClipMethods, SimoMethods {
  capabilities: {
    params: { gpu: GpuPreference; tf?: TfPreference };
    result: CapabilityReport;
    events: never;
  };
  /** Sets up tfjs on the fastest backend (measured once; `remembered`: the page's earlier answer). */
  chooseBackend: {
    params: { remembered?: Pick<TfChoice, 'device' | 'probeMs'> };
    result: TfChoice;
    events: never;
  };
  loadCheckpoints: {
    params: { inputs: CheckpointInput[] };
    result: { loaded: string[]; failed: string[] };
    events:
      | { type: 'progress'; progress: Progress }
      | { type: 'checkpointPending'; id: string; name: string }
      | { type: 'checkpointLoaded'; summary: CheckpointSummary }
      | { type: 'checkpointFailed'; id: string; name: string; error: WireError };
  };
  probeDemo: {
    params: Record<string, never>;
    result: DemoInfo;
    events: never;
  };
  /** Loads the demo zoo's base and fine-tunes; same events as loadCheckpoints. */
  loadDemo: {
    params: Record<string, never>;
    result: { ids: string[]; baseId: string | null; headPrefix: string };
    events: Methods['loadCheckpoints']['events'];
  };
  removeCheckpoint: {
    params: { id: string };
    result: { removed: boolean };
    events: never;
  };
  checkCompatibility: {
    params: { ids: string[]; baseId: string; taskFilter: string };
    result: CompatibilityReport;
    events: never;
  };
  /** Plans and runs a merge of loaded checkpoints; recipe model names are checkpoint names. */
  merge: {
    params: { recipe: Recipe; target: MergeTarget };
    result: MergeOutcome;
    events: { type: 'progress'; progress: Progress };
  };
  /**
   * Per-task accuracy on the demo zoo's test sets (or the CLIP panel's tasks, when the
   * checkpoints are its): of the last in-memory merge (an EMR merge:
   * each task with its own modulated model, as `eval --modulators`; its unified model with
   * `unified`), of each
   * fine-tune on its own task ('individuals', the reference row), or of the base checkpoint
   * through each task's head ('base', the zero-shot row). A `progress` event (images done of
   * all, rate, ETA) follows each task; a cancel lands between tasks.
   */
  evaluate: {
    params: {
      target: 'merged' | 'individuals' | 'base';
      label: string;
      /** An EMR merge's unified model without its modulators (default: each task with its own). */
      unified?: boolean;
      limit?: number;
      /** Only these tasks (names); all when absent. The sweep needs two of eight. */
      tasks?: string[];
      /**
       * The base checkpoint's name, for 'base' and 'individuals': when it is the CLIP panel's
       * base, the CLIP tasks are scored, else the demo zoo's ('merged' follows its recipe).
       */
      base?: string;
    };
    result: {
      label: string;
      /** Task name → accuracy in [0, 1]. */
      accuracy: Record<string, number>;
      average: number;
      tasks: { name: string; title: string }[];
      device: ComputeDevice;
    };
    events: { type: 'progress'; progress: Progress };
  };
  /**
   * Live exploration and the sweep: merges `recipe` and scores it on the demo zoo, or on the CLIP
   * panel's tasks when the recipe names its checkpoints (the first
   * `limit` images per task, all by default) WITHOUT replacing the last merge of `merge`. With
   * `estimate` > 0 an `estimate` event first gives the accuracy on (up to) that many images
   * per task, sized to `estimateBudgetMs` from the measured scoring speed.
   * Task arithmetic takes a fast path (θ₀ and τ kept on the device): `path` says which ran.
   */
  explore: {
    params: {
      recipe: Recipe;
      label: string;
      /** Images per task of the estimate (at most). */
      estimate?: number;
      /** Scoring time the estimate may take: fewer images (≥ 16) when the device is slow. */
      estimateBudgetMs?: number;
      limit?: number;
      /** Only these tasks (names); all when absent. */
      tasks?: string[];
    };
    /** What `evaluate` returns, plus how it was made. */
    result: Methods['evaluate']['result'] & {
      /** Images scored per task. */
      images: number;
      /** Milliseconds from the request to the merged encoder being ready. */
      mergeMs: number;
      path: 'direct' | 'engine';
    };
    events: {
      type: 'estimate';
      accuracy: Record<string, number>;
      average: number;
      /** Images scored per task for this estimate. */
      images: number;
      tasks: { name: string; title: string }[];
      /** Milliseconds from the request to this estimate, in the worker. */
      ms: number;
      /** Of which merging (the rest is scoring). */
      mergeMs: number;
    };
  };
  /**
   * Learns merging coefficients λ on the demo zoo's unlabeled test inputs (AdaMerging): one
   * `step` event per optimiser step, an `eval` event every `evalEvery` steps. Ends with the
   * learned λ and the merged model's per-task accuracy.
   */
  adamerge: {
    /**
     * `base`: the base checkpoint's name; when it is the CLIP panel's base, λ is learned on the
     * CLIP fine-tunes and their tasks (the CLIP panel's AdaMerging, ++ included; evaluations
     * while learning through the CLIP suite).
     */
    params: { options: AdaMergingOptions; base?: string };
    result: {
      result: AdaMergingResult;
      accuracy: Record<string, number>;
      tasks: { name: string; title: string }[];
      /** The merged checkpoint (encoder + every task's head; recipe and λ in its metadata),
       * transferred, and its recipe as mergekit-style YAML. */
      export: { fileName: string; bytes: Uint8Array; recipeYaml: string };
    };
    /** `progress`: the final evaluation of the learned merge, after the last step. */
    events:
      | { type: 'step'; step: StepEvent }
      | { type: 'eval'; eval: EvalEvent }
      | { type: 'progress'; progress: Progress };
  };
  /** Pauses or resumes the running AdaMerging between steps. */
  adamergePause: {
    params: { paused: boolean };
    result: { paused: boolean };
    events: never;
  };
  /**
   * Task vectors τ = θ − θ₀ of the fine-tunes `ids` (the base left out) against `baseId`:
   * cosine matrix, per-block norms, sign-conflict rates; tensors matching `taskFilter` excluded.
   */
  analyzeTaskVectors: {
    params: { baseId: string; ids: string[]; taskFilter: string };
    result: TaskVectorAnalysis;
    events: { type: 'progress'; progress: Progress };
  };
  /** The recipe as mergekit YAML (studio-only settings under `merge_studio:`). */
  recipeYaml: {
    params: { recipe: Recipe };
    result: { yaml: string };
    events: never;
  };
  /** The merge registry's declarations (pure data): the method form is generated from them. */
  listMethods: {
    params: Record<string, never>;
    result: MethodDefinition[];
    events: never;
  };
}

export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];
export type EventOf<M extends MethodName> = Methods[M]['events'];

// ---------------------------------------------------------------- envelopes

export type RequestMessage = {
  [M in MethodName]: { type: 'request'; id: number; method: M; params: ParamsOf<M> };
}[MethodName];

export interface CancelMessage {
  type: 'cancel';
  /** The id of the request to abort. */
  id: number;
}

export type ToWorker = RequestMessage | CancelMessage;

export type FromWorker =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'event'; id: number; event: unknown };

/** The error code a cancelled request rejects with. */
export const CANCELLED = 'cancelled';
