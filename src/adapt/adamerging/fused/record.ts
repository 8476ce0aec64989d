/**
 * Records the fused AdaMerging step of the zoo ViT into a DispatchPlan (src/gpu/runtime): the
 * parameter and λ buffers, then the step composed per architecture block from vit-blocks.ts —
 * merge; embedding, per block attention then MLP, heads/objective (forward); the same blocks'
 * backwards in reverse; ∂λ; Adam. The kernels themselves (kernels.ts, wgsl-*.ts) know nothing
 * of the ViT, so another architecture records its own step from them. engine.ts replays it.
 * The math is vit.ts's (forward) and its hand-written derivative, checked against tfjs
 * autodiff by fused.spec.ts and e2e/adamerging.e2e.ts.
 */
import type { DispatchPlan } from '../../../gpu';
import { isCosineHead, logitScaleOf, type VitConfig } from '../../../models';
import {
  adamUpdate,
  createRecorder,
  lambdaGradient,
  lambdaSpecOf,
  mergeWeights,
  type MatMulBlocking,
  type ParameterBuffers,
} from './kernels';
import { packArrays, packLayout } from './layout';
import {
  attentionBackward,
  attentionForward,
  embeddingBackward,
  embeddingForward,
  headsObjectiveBackward,
  headsObjectiveForward,
  mlpBackward,
  mlpForward,
  vitBlock,
} from './vit-blocks';
import {
  blockBuffers,
  blockScratch,
  streamBuffers,
  vitDims,
  type HeadBuffers,
  type HeadSpec,
} from './vit-buffers';

export { DEFAULT_BLOCKING, FUSED_PHASES, type FusedPhase, type MatMulBlocking } from './kernels';

/**
 * A cosine head's weight [dim, classes] with every class column divided by its norm (as tfjs's
 * cosineLogits, ε 1e-12 under the root) and multiplied by the logit scale, in f32.
 */
function unitColumns(weight: Float32Array, classes: number, scale: number): Float32Array {
  const dim = weight.length / classes;
  const out = new Float32Array(weight.length);
  for (let c = 0; c < classes; c++) {
    let ss = 0;
    for (let d = 0; d < dim; d++) ss = Math.fround(ss + Math.fround(weight[d * classes + c]! ** 2));
    const r = Math.fround(1 / Math.sqrt(Math.fround(ss + 1e-12)));
    for (let d = 0; d < dim; d++)
      out[d * classes + c] = Math.fround(weight[d * classes + c]! * r) * scale;
  }
  return out;
}

export interface FusedInput {
  config: VitConfig;
  tasks: string[];
  /** Unlabeled images per task per step. */
  perTask: number;
  /** Merged tensors, forward order; shapes; θ₀; τₖ per task (same names). */
  tensorNames: string[];
  shapes: Map<string, number[]>;
  base: Map<string, Float32Array>;
  vectors: Map<string, Float32Array>[];
  /** Per task: head weight [dim, classes] and bias [classes]. */
  heads: { weight: Float32Array; bias: Float32Array; classes: number }[];
  columns: number;
  clamp: boolean;
  init: number;
  lr: number;
  betas?: [number, number];
  /** tfjs's backend epsilon for float32. */
  epsilon?: number;
  /** The matMuls' register blocking (default {@link DEFAULT_BLOCKING}; the bench compares). */
  blocking?: MatMulBlocking;
}

/** What the fused kernels assume about the model (vec4 columns); otherwise use tfjs. */
export function fusedSupports(config: VitConfig): boolean {
  const d = config.dim;
  return d % 4 === 0 && config.mlpDim % 4 === 0 && (d / config.heads) % 4 === 0;
}

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

/** θ₀, every τₖ (stacked), θ, θᵀ and ∂θ in one packed layout. */
function parameterBuffers(p: DispatchPlan, input: FusedInput): ParameterBuffers {
  const lengths = input.tensorNames.map((n) => input.base.get(n)!.length);
  const layout = packLayout(input.tensorNames, lengths);
  const P = layout.size;
  const pack = (m: Map<string, Float32Array>) =>
    packArrays(
      layout,
      input.tensorNames.map((n) => m.get(n)!),
    );
  const base = p.buffer(P, 'θ₀', pack(input.base));
  const tau = p.buffer(input.tasks.length * P, 'τ');
  input.vectors.forEach((v, k) => p.device.queue.writeBuffer(tau, k * P * 4, pack(v)));
  return {
    layout,
    base,
    tau,
    owner: p.buffer(P, 'owner', layout.owner),
    theta: p.buffer(P, 'θ'),
    thetaT: p.buffer(P, 'θᵀ'),
    grad: p.buffer(P, '∂θ'),
  };
}

/** Every task's head packed in one buffer (cosine heads pre-normalised), and its layout. */
function headBuffers(
  p: DispatchPlan,
  input: FusedInput,
  B: number,
  D: number,
): { buffers: HeadBuffers; spec: HeadSpec } {
  const { config } = input;
  const cosine = isCosineHead(config);
  const headData: number[] = [];
  const spec: HeadSpec = {
    tasks: input.tasks.length,
    perTask: input.perTask,
    dim: D,
    classes: [],
    weightOffsets: [],
    biasOffsets: [],
    cosine,
  };
  for (const h of input.heads) {
    spec.classes.push(h.classes);
    spec.weightOffsets.push(headData.length);
    headData.push(...(cosine ? unitColumns(h.weight, h.classes, logitScaleOf(config)) : h.weight));
    spec.biasOffsets.push(headData.length);
    headData.push(...(cosine ? new Float32Array(h.classes) : h.bias));
  }
  const buffers: HeadBuffers = {
    cls: p.buffer(B * D, 'cls'),
    xhatF: p.buffer(B * D, 'x̂ final'),
    rstdF: p.buffer(B, 'rstd final'),
    feature: p.buffer(B * D, 'feature'),
    entropy: p.buffer(B, 'entropy'),
    dfeature: p.buffer(B * D, '∂feature'),
    dcls: p.buffer(B * D, '∂cls'),
    loss: p.buffer(input.tasks.length, 'loss'),
    heads: p.buffer(headData.length, 'heads', new Float32Array(headData)),
  };
  return { buffers, spec };
}

export function recordFusedStep(p: DispatchPlan, input: FusedInput): StepIo {
  const { config } = input;
  const T = input.tasks.length;
  const columns = input.columns;
  const params = parameterBuffers(p, input);

  // λ and Adam's state.
  const lambdaCount = T * columns;
  const initial = new Float32Array(lambdaCount).fill(input.init);
  const lambdaState = {
    lambda: p.buffer(lambdaCount, 'λ', initial),
    used: p.buffer(
      lambdaCount,
      'λ used',
      input.clamp ? initial.map((x) => Math.min(1, Math.max(0, x))) : initial,
    ),
    moments: p.buffer(2 * lambdaCount, 'Adam m, v'),
    hyper: p.buffer(4, 'Adam hyper'),
    gradOut: p.buffer(lambdaCount, '∂λ'),
    perTensor: p.buffer(T * params.layout.names.length, '∂λ per tensor'),
  };

  // Activations, per block.
  const d = vitDims(config, T * input.perTask);
  const imageFloats = d.B * config.imageSize ** 2;
  const stream = streamBuffers(p, d, imageFloats);
  const blocks = Array.from({ length: config.depth }, (_, i) => blockBuffers(p, d, i));
  const heads = headBuffers(p, input, d.B, d.D);
  const scratch = blockScratch(p, d);
  const r = createRecorder(
    p,
    params,
    {
      matMulFloats: Math.max(d.D * d.D3, d.D * d.F, d.PP * d.D),
      matMulColumns: Math.max(d.D3, d.F, d.D),
      normWidth: d.D,
    },
    input.blocking,
  );
  const lambdas = lambdaSpecOf(r, T, columns);

  // Merge: θ from the λ in use, and θᵀ of every matrix but the patch projection.
  const transposed = input.tensorNames.flatMap((name) => {
    const shape = input.shapes.get(name)!;
    return shape.length === 2 && !name.includes('patch_embed')
      ? [{ name, rows: shape[0]!, cols: shape[1]! }]
      : [];
  });
  mergeWeights(r, lambdas, lambdaState.used, transposed);

  // Forward, block by block; the backward in reverse.
  embeddingForward(r, d, stream);
  const vit = blocks.map((b, i) => vitBlock(r, d, stream, b, scratch, i));
  for (const block of vit) {
    attentionForward(block);
    mlpForward(block);
  }
  headsObjectiveForward(r, d, stream, heads.buffers, heads.spec);
  headsObjectiveBackward(r, d, stream, heads.buffers);
  for (const block of [...vit].reverse()) {
    mlpBackward(block);
    attentionBackward(block);
  }
  embeddingBackward(r, d, stream);

  // ∂λ, then Adam.
  lambdaGradient(r, lambdas, lambdaState.perTensor);
  adamUpdate(r, lambdas, lambdaState, {
    clamp: input.clamp,
    betas: input.betas ?? [0.9, 0.999],
    epsilon: input.epsilon ?? 1e-7,
  });
  return {
    images: stream.images,
    hyper: lambdaState.hyper,
    lambda: lambdaState.lambda,
    used: lambdaState.used,
    loss: heads.buffers.loss,
    gradOut: lambdaState.gradOut,
    imageFloats,
  };
}
