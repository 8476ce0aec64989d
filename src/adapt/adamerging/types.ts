/**
 * The public, framework-free contract of AdaMerging: options, the live event stream (what the
 * UI charts), and the result. Plain data only, so every type crosses a worker boundary as is.
 */

/** Task-wise: one λ per task. Layer-wise: one λ per task per merged tensor. */
export type AdaMergingMode = 'task' | 'layer';

/**
 * 'entropy': AdaMerging (unlabeled). 'cross-entropy': an oracle for diagnosis only — the same λ
 * and optimiser, but the loss is the cross-entropy against the test batches' true labels, so
 * it bounds what this λ parametrisation can reach at all. tfjs autodiff only (engine 'tfjs').
 */
export type AdaMergingObjective = 'entropy' | 'cross-entropy';

export interface AdaMergingOptions {
  mode: AdaMergingMode;
  /** AdaMerging++: learn λ over the TIES-selected parts of the task vectors. */
  plus?: boolean;
  /** Optimiser steps (paper: 500). */
  steps?: number;
  /** Adam learning rate (paper: 1e-3). */
  lr?: number;
  /** Initial λ for every coefficient (paper: 0.3). */
  init?: number;
  /** Clamp λ to [0, 1] in the forward pass (official code: true; FusionBench: false). */
  clamp?: boolean;
  /** Unlabeled images per task per batch (paper: 16). */
  batchSize?: number;
  /** Batches per task per step: official code 2, FusionBench 1. */
  batchesPerTask?: 1 | 2;
  /** Seeds the batch sampling; the same seed gives the same run. */
  seed?: number;
  /** Emit an evaluation event every N steps (0 = never; the final λ is always returned). */
  evalEvery?: number;
  /** Only the first N labelled test images per task in evaluation events (default: all). */
  evalLimit?: number;
  /** AdaMerging++ trim density, model scope (paper: 0.2). */
  density?: number;
  /**
   * 'auto': on the webgpu backend, the fused WebGPU kernels (hand-written forward + backward,
   * src/adapt/adamerging/fused); elsewhere tfjs autodiff. 'tfjs': always tfjs autodiff.
   */
  engine?: 'auto' | 'tfjs';
  /** The loss (default 'entropy'); see {@link AdaMergingObjective}. */
  objective?: AdaMergingObjective;
}

export type ResolvedOptions = Required<AdaMergingOptions>;

export const DEFAULT_OPTIONS: Readonly<Omit<ResolvedOptions, 'mode'>> = Object.freeze({
  plus: false,
  steps: 500,
  lr: 1e-3,
  init: 0.3,
  clamp: true,
  batchSize: 16,
  batchesPerTask: 1,
  seed: 0,
  evalEvery: 0,
  evalLimit: 0,
  density: 0.2,
  engine: 'auto',
  objective: 'entropy',
});

/** Milliseconds of one step by phase (sums to about `ms`). */
export interface StepTiming {
  /** Sampling and uploading the unlabeled batch. */
  batch: number;
  /** Merge θ₀ + Σ λ·τ, forward and backward (tfjs autodiff, or the fused kernels' whole step). */
  gradient: number;
  /** Adam update of λ. */
  update: number;
  /** Reading the per-task losses and λ back to JS (waits for the device). */
  readback: number;
}

/** One optimiser step. `lambdas` is T × L (L = 1 task-wise), as used in the forward pass. */
export interface StepEvent {
  step: number;
  lossPerTask: number[];
  /** Sum of lossPerTask: the entropies (the oracle: the cross-entropies; the name is historic). */
  entropyTotal: number;
  lambdas: number[][];
  ms: number;
  timing: StepTiming;
}

/** Per-task accuracy (labelled test sets) of the merged model after `step` steps. */
export interface EvalEvent {
  step: number;
  accuracyPerTask: number[];
  average: number;
  images: number;
}

export interface AdaMergingCallbacks {
  onStep?: (event: StepEvent) => void;
  onEval?: (event: EvalEvent) => void;
  /** Aborting stops the run between steps with an AbortError (signal.reason). */
  signal?: AbortSignal;
  /** Paused runs wait between steps until resumed (or aborted). */
  pauseToken?: { wait(signal?: AbortSignal): Promise<void>; readonly paused?: boolean };
}

export interface AdaMergingResult {
  mode: AdaMergingMode;
  plus: boolean;
  tasks: string[];
  /** Merged tensor names in forward order: column l of a layer-wise λ belongs to tensorNames[l]. */
  tensorNames: string[];
  /** Learned λ, T × L, after clamping when `clamp` is on (what the merged model uses). */
  lambdas: number[][];
  /** The raw λ variable (may leave [0, 1] when clamp is on). */
  rawLambdas: number[][];
  stepsRun: number;
  /** Sum over tasks of the mean entropy (oracle: cross-entropy), at the first and the last step. */
  firstEntropy: number;
  lastEntropy: number;
  seconds: number;
  backend: string;
  /** 'fused-webgpu': own WGSL forward/backward (webgpu backend); 'tfjs': tfjs autodiff. */
  engine: 'fused-webgpu' | 'tfjs';
  options: ResolvedOptions;
}
