/**
 * What every architecture's fused step shares around its own blocks: the packed parameter
 * buffers (θ₀, τ, θ, θᵀ, ∂θ), λ with Adam's state, the closing ∂λ + Adam, and the contract an
 * architecture's recorder hands the engine (engine.ts): the buffers the host writes and reads.
 * record.ts (the zoo ViT) and clip-record.ts (HF CLIP) record their blocks between these.
 */
import type { DispatchPlan } from '../../../gpu';
import {
  adamUpdate,
  lambdaGradient,
  type LambdaState,
  type MatMulBlocking,
  type ParameterBuffers,
  type Recorder,
} from './kernels';
import { packArrays, packLayout } from './layout';
import type { LambdaSpec } from './wgsl-objective';

/** The buffers a step reads or writes from the host, and the batch size in floats. */
export interface StepIo {
  images: GPUBuffer;
  /** [lr, 1 − β₁ᵗ, 1 − β₂ᵗ, gradient-only flag], written before each step. */
  hyper: GPUBuffer;
  /** The raw λ variable and the λ the forward uses (clamped when clamping). */
  lambda: GPUBuffer;
  used: GPUBuffer;
  /** Per-task mean entropies and ∂loss/∂λ (clamp mask applied) of the last step. */
  loss: GPUBuffer;
  gradOut: GPUBuffer;
  imageFloats: number;
}

/** One architecture's fused step, as the engine needs it: sizes, Adam's settings, a recorder. */
export interface FusedStep {
  /** Error-message prefix, e.g. "fused AdaMerging (CLIP)". */
  label: string;
  tasks: number;
  /** λ columns: 1 task-wise, one per merged tensor layer-wise. */
  columns: number;
  lr: number;
  betas?: [number, number];
  /** Records merge, forward, backward and update into the plan; returns the host's buffers. */
  record(plan: DispatchPlan): StepIo;
}

/** What every architecture's fused-step input carries besides its model and heads. */
export interface FusedProblem {
  tasks: string[];
  /** Unlabeled images per task per step. */
  perTask: number;
  /** Merged tensors, forward order (λ column l is tensorNames[l]); shapes; θ₀; τₖ per task. */
  tensorNames: string[];
  shapes: Map<string, number[]>;
  base: Map<string, Float32Array>;
  vectors: Map<string, Float32Array>[];
  columns: number;
  clamp: boolean;
  init: number;
  lr: number;
  betas?: [number, number];
  /** tfjs's backend epsilon for float32. */
  epsilon?: number;
  /** The matMuls' register blocking (default DEFAULT_BLOCKING; the bench compares). */
  blocking?: MatMulBlocking;
}

/** θ₀, every τₖ (stacked), θ, θᵀ and ∂θ in one packed layout of `names` (forward order). */
export function parameterBuffers(
  p: DispatchPlan,
  names: readonly string[],
  base: Map<string, Float32Array>,
  vectors: readonly Map<string, Float32Array>[],
): ParameterBuffers {
  const layout = packLayout(
    [...names],
    names.map((n) => base.get(n)!.length),
  );
  const P = layout.size;
  const pack = (m: Map<string, Float32Array>) =>
    packArrays(
      layout,
      names.map((n) => m.get(n)!),
    );
  const tau = p.buffer(vectors.length * P, 'τ');
  vectors.forEach((v, k) => p.device.queue.writeBuffer(tau, k * P * 4, pack(v)));
  return {
    layout,
    base: p.buffer(P, 'θ₀', pack(base)),
    tau,
    owner: p.buffer(P, 'owner', layout.owner),
    theta: p.buffer(P, 'θ'),
    thetaT: p.buffer(P, 'θᵀ'),
    grad: p.buffer(P, '∂θ'),
  };
}

/** λ (all `init`), the λ in use (clamped when clamping), Adam's moments and the outputs. */
export function lambdaStateBuffers(p: DispatchPlan, o: FusedProblem, tensors: number): LambdaState {
  const count = o.tasks.length * o.columns;
  const initial = new Float32Array(count).fill(o.init);
  return {
    lambda: p.buffer(count, 'λ', initial),
    used: p.buffer(
      count,
      'λ used',
      o.clamp ? initial.map((x) => Math.min(1, Math.max(0, x))) : initial,
    ),
    moments: p.buffer(2 * count, 'Adam m, v'),
    hyper: p.buffer(4, 'Adam hyper'),
    gradOut: p.buffer(count, '∂λ'),
    perTensor: p.buffer(o.tasks.length * tensors, '∂λ per tensor'),
  };
}

/** The step's end, after the blocks' backwards: ∂λ from ∂θ and τ, then Adam on λ. */
export function finishStep(
  r: Recorder,
  lambdas: LambdaSpec,
  state: LambdaState,
  o: FusedProblem,
): void {
  lambdaGradient(r, lambdas, state.perTensor);
  adamUpdate(r, lambdas, state, {
    clamp: o.clamp,
    betas: o.betas ?? [0.9, 0.999],
    epsilon: o.epsilon ?? 1e-7,
  });
}

/** The host's view of a recorded step. */
export function stepIo(
  state: LambdaState,
  images: GPUBuffer,
  loss: GPUBuffer,
  imageFloats: number,
): StepIo {
  return {
    images,
    hyper: state.hyper,
    lambda: state.lambda,
    used: state.used,
    loss,
    gradOut: state.gradOut,
    imageFloats,
  };
}
