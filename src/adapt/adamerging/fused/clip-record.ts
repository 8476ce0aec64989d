/**
 * Records the fused AdaMerging step of an HF CLIP vision tower (clip-blocks.ts) between the
 * shared frame (step-frame.ts): θ from λ and the transposes the forward reads; embeddings,
 * each encoder layer's attention then MLP, the zero-shot objective; the same blocks' backwards
 * in reverse; ∂λ; Adam. Checked against src/adapt/clip's tfjs autodiff by clip-fused.spec.ts.
 */
import type { DispatchPlan } from '../../../gpu';
import type { ClipConfig } from '../../../models';
import {
  clipAttentionBackward,
  clipAttentionForward,
  clipEmbeddingBackward,
  clipEmbeddingForward,
  clipLayer,
  clipMlpBackward,
  clipMlpForward,
  clipObjectiveBackward,
  clipObjectiveForward,
  geluOf,
} from './clip-blocks';
import { clipDims, clipEmbedBuffers, clipHeadBuffers, qkvScratch } from './clip-buffers';
import { createRecorder, lambdaSpecOf, mergeWeights } from './kernels';
import {
  finishStep,
  lambdaStateBuffers,
  parameterBuffers,
  stepIo,
  type FusedProblem,
  type FusedStep,
  type StepIo,
} from './step-frame';
import { blockBuffers, blockScratch, streamBuffers, type HeadSpec } from './vit-buffers';

export interface ClipFusedInput extends FusedProblem {
  config: ClipConfig;
  /** visual_projection.weight [proj, hidden] (fixed) and the checkpoint's logit_scale (a log). */
  projection: Float32Array;
  logitScale: number;
  /** Per task: zero-shot head [classes, proj], unit rows, class after class. */
  heads: { weight: Float32Array; classes: number }[];
}

/** What the fused CLIP kernels assume (vec4 widths, a GELU they know); otherwise tfjs. */
export function clipFusedSupports(config: ClipConfig): boolean {
  const v = config.vision;
  const patch = v.numChannels * v.patchSize ** 2;
  return (
    geluOf(v.hiddenAct) !== null &&
    [
      v.hiddenSize,
      v.intermediateSize,
      v.hiddenSize / v.numHeads,
      config.projectionDim,
      patch,
    ].every((w) => w % 4 === 0)
  );
}

/** Every head transposed to [proj, classes] × exp(logit scale) — the cosine-head layout. */
function packHeads(input: ClipFusedInput, dim: number): { data: Float32Array; spec: HeadSpec } {
  const scale = Math.exp(input.logitScale);
  const spec: HeadSpec = {
    tasks: input.tasks.length,
    perTask: input.perTask,
    dim,
    classes: [],
    weightOffsets: [],
    biasOffsets: [],
    cosine: true,
  };
  const total = input.heads.reduce((a, h) => a + h.classes * (dim + 1), 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const { weight, classes } of input.heads) {
    spec.classes.push(classes);
    spec.weightOffsets.push(at);
    for (let c = 0; c < classes; c++)
      for (let j = 0; j < dim; j++) data[at + j * classes + c] = weight[c * dim + j]! * scale;
    at += classes * dim;
    spec.biasOffsets.push(at); // zero biases: CLIP's heads have none
    at += classes;
  }
  return { data, spec };
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j]!;
  return out;
}

export function recordClipFusedStep(p: DispatchPlan, input: ClipFusedInput): StepIo {
  const { config } = input;
  const v = config.vision;
  const gelu = geluOf(v.hiddenAct);
  if (!gelu || !clipFusedSupports(config))
    throw new Error('fused AdaMerging (CLIP): unsupported vision config');
  const T = input.tasks.length;
  const params = parameterBuffers(p, input.tensorNames, input.base, input.vectors);
  const lambdaState = lambdaStateBuffers(p, input, params.layout.names.length);

  const d = clipDims(config, T * input.perTask);
  const P = config.projectionDim;
  const imageFloats = d.B * v.imageSize ** 2 * v.numChannels;
  const stream = streamBuffers(p, d, imageFloats);
  const embed = clipEmbedBuffers(p, d);
  const scratch = blockScratch(p, d);
  const qkv = qkvScratch(p, d);
  const heads = packHeads(input, P);
  const head = clipHeadBuffers(
    p,
    d,
    { tasks: T, projectionDim: P },
    {
      heads: heads.data,
      projection: input.projection,
      projectionT: transpose(input.projection, P, d.D),
    },
  );
  const r = createRecorder(
    p,
    params,
    {
      matMulFloats: Math.max(d.D3 * d.D, d.F * d.D, d.D * d.PP),
      matMulColumns: Math.max(d.D3, d.F, d.D, d.PP),
      normWidth: d.D,
    },
    input.blocking,
  );
  const lambdas = lambdaSpecOf(r, T, input.columns);

  // Merge: θ from the λ in use, and θᵀ of every [out, in] matrix the forward multiplies by
  // (q/k/v are packed per layer instead).
  const transposed = input.tensorNames.flatMap((name) => {
    const shape = input.shapes.get(name)!;
    if (shape.length < 2 || /\.(q|k|v)_proj\./.test(name)) return [];
    if (name.endsWith('position_embedding.weight')) return [];
    const rows = shape[0]!;
    return [{ name, rows, cols: shape.slice(1).reduce((a, b) => a * b, 1) }];
  });
  mergeWeights(r, lambdas, lambdaState.used, transposed);

  clipEmbeddingForward(r, d, stream, embed, v.numChannels);
  const layers = Array.from({ length: v.numLayers }, (_, i) =>
    clipLayer({ r, d, s: stream, b: blockBuffers(p, d, i), scratch, i }, qkv, gelu),
  );
  for (const layer of layers) {
    clipAttentionForward(layer);
    clipMlpForward(layer);
  }
  clipObjectiveForward(r, d, stream, head, heads.spec);
  clipObjectiveBackward(r, d, stream, head, P);
  for (const layer of [...layers].reverse()) {
    clipMlpBackward(layer);
    clipAttentionBackward(layer);
  }
  clipEmbeddingBackward(r, d, stream, embed);

  finishStep(r, lambdas, lambdaState, input);
  return stepIo(lambdaState, stream.images, head.loss, imageFloats);
}

/** The CLIP vision tower's fused step for the engine. */
export function clipFusedStep(input: ClipFusedInput): FusedStep {
  return {
    label: 'fused AdaMerging (CLIP)',
    tasks: input.tasks.length,
    columns: input.columns,
    lr: input.lr,
    betas: input.betas,
    record: (plan) => recordClipFusedStep(plan, input),
  };
}
