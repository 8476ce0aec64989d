/**
 * HF CLIP's vision-tower step sizes and the buffers its blocks keep beyond the zoo ViT's
 * (vit-buffers.ts supplies the residual stream, each layer's saved activations and the shared
 * backward scratch, sized by the same VitDims): the tokens before pre_layrnorm and its saved
 * statistics, the q/k/v packing scratch, and the pooled → projection → zero-shot-head path.
 */
import type { DispatchPlan } from '../../../gpu';
import type { ClipConfig } from '../../../models';
import { tokenDims, type VitDims } from './vit-buffers';

/** VitDims of a CLIP vision tower: PP is a patch's C·p² values. */
export function clipDims(config: ClipConfig, images: number): VitDims {
  const v = config.vision;
  return tokenDims(
    {
      imageSize: v.imageSize,
      patchSize: v.patchSize,
      channels: v.numChannels,
      dim: v.hiddenSize,
      heads: v.numHeads,
      mlpDim: v.intermediateSize,
      eps: v.layerNormEps,
    },
    images,
  );
}

/** The embeddings before pre_layrnorm and what its backward needs. */
export interface ClipEmbedBuffers {
  tokens: GPUBuffer;
  xhat: GPUBuffer;
  rstd: GPUBuffer;
}

export function clipEmbedBuffers(p: DispatchPlan, d: VitDims): ClipEmbedBuffers {
  return {
    tokens: p.buffer(d.R * d.D, 'tokens'),
    xhat: p.buffer(d.R * d.D, 'x̂ pre'),
    rstd: p.buffer(d.R, 'rstd pre'),
  };
}

/**
 * q/k/v packed for the attention kernels, rebuilt from θ where a layer needs it (a copy costs
 * D² floats, the matMul it feeds R·D² multiply-adds): Wᵀ side by side [D, 3D] with the biases
 * [3D] for the forward, the weights stacked [3D, D] for ∂h, and ∂ of the stack and the biases.
 */
export interface QkvScratch {
  weightT: GPUBuffer;
  bias: GPUBuffer;
  stacked: GPUBuffer;
  dStacked: GPUBuffer;
  dBias: GPUBuffer;
}

export function qkvScratch(p: DispatchPlan, d: VitDims): QkvScratch {
  return {
    weightT: p.buffer(d.D * d.D3, 'qkv Wᵀ'),
    bias: p.buffer(d.D3, 'qkv bias'),
    stacked: p.buffer(d.D3 * d.D, 'qkv W'),
    dStacked: p.buffer(d.D3 * d.D, '∂qkv W'),
    dBias: p.buffer(d.D3, '∂qkv bias'),
  };
}

/** post_layernorm → visual_projection → unit embedding → each task's zero-shot head. */
export interface ClipHeadBuffers {
  cls: GPUBuffer;
  xhat: GPUBuffer;
  rstd: GPUBuffer;
  pooled: GPUBuffer;
  embeds: GPUBuffer;
  entropy: GPUBuffer;
  dEmbeds: GPUBuffer;
  dPooled: GPUBuffer;
  dcls: GPUBuffer;
  loss: GPUBuffer;
  /** Every task's head [proj, classes] (× exp(logit scale)), packed; visual_projection and ᵀ. */
  heads: GPUBuffer;
  projection: GPUBuffer;
  projectionT: GPUBuffer;
}

export function clipHeadBuffers(
  p: DispatchPlan,
  d: VitDims,
  sizes: { tasks: number; projectionDim: number },
  data: { heads: Float32Array; projection: Float32Array; projectionT: Float32Array },
): ClipHeadBuffers {
  const { B, D } = d;
  const P = sizes.projectionDim;
  return {
    cls: p.buffer(B * D, 'cls'),
    xhat: p.buffer(B * D, 'x̂ post'),
    rstd: p.buffer(B, 'rstd post'),
    pooled: p.buffer(B * D, 'pooled'),
    embeds: p.buffer(B * P, 'image embeds'),
    entropy: p.buffer(B, 'entropy'),
    dEmbeds: p.buffer(B * P, '∂image embeds'),
    dPooled: p.buffer(B * D, '∂pooled'),
    dcls: p.buffer(B * D, '∂cls'),
    loss: p.buffer(sizes.tasks, 'loss'),
    heads: p.buffer(data.heads.length, 'heads', data.heads),
    projection: p.buffer(P * D, 'visual_projection', data.projection),
    projectionT: p.buffer(D * P, 'visual_projectionᵀ', data.projectionT),
  };
}
