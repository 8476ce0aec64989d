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
import { createRecorder, lambdaSpecOf, mergeWeights } from './kernels';
import {
  finishStep,
  lambdaStateBuffers,
  parameterBuffers,
  stepIo,
  type FusedStep,
  type FusedProblem,
  type StepIo,
} from './step-frame';
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
export type { FusedStep, StepIo } from './step-frame';

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

export interface FusedInput extends FusedProblem {
  config: VitConfig;
  /** Per task: head weight [dim, classes] and bias [classes]. */
  heads: { weight: Float32Array; bias: Float32Array; classes: number }[];
}

/** What the fused kernels assume about the model (vec4 columns); otherwise use tfjs. */
export function fusedSupports(config: VitConfig): boolean {
  const d = config.dim;
  return d % 4 === 0 && config.mlpDim % 4 === 0 && (d / config.heads) % 4 === 0;
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
  const params = parameterBuffers(p, input.tensorNames, input.base, input.vectors);
  const lambdaState = lambdaStateBuffers(p, input, params.layout.names.length);

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
  const lambdas = lambdaSpecOf(r, T, input.columns);

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

  finishStep(r, lambdas, lambdaState, input);
  return stepIo(lambdaState, stream.images, heads.buffers.loss, imageFloats);
}

/** The zoo ViT's fused step for the engine. */
export function vitFusedStep(input: FusedInput): FusedStep {
  if (!fusedSupports(input.config)) throw new Error('fused AdaMerging: unsupported ViT config');
  return {
    label: 'fused AdaMerging',
    tasks: input.tasks.length,
    columns: input.columns,
    lr: input.lr,
    betas: input.betas,
    record: (plan) => recordFusedStep(plan, input),
  };
}
