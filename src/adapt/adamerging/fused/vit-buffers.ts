/**
 * The zoo ViT's step sizes and the buffers its blocks keep for the backward (vit-blocks.ts
 * records the kernels over them): the residual stream and embedding, each transformer block's
 * saved activations, the blocks' shared backward scratch, and the heads / objective.
 */
import type { DispatchPlan } from '../../../gpu';
import type { VitConfig } from '../../../models';
import { GROUP } from './wgsl-attention';
import { patchCount, type TokenSpec } from './wgsl-embed';

export type { HeadSpec } from './wgsl-objective';

/** Sizes of one step's batch through the ViT. */
export interface VitDims {
  /** Images (all tasks), tokens per image, rows = images × tokens. */
  B: number;
  TK: number;
  R: number;
  NP: number;
  PP: number;
  D: number;
  D3: number;
  F: number;
  H: number;
  eps: number;
  tokens: TokenSpec;
  attention: { images: number; tokens: number; heads: number; headDim: number };
  attentionInvocations: number;
}

/** The sizes of a patch-token transformer's step (the zoo ViT's, HF CLIP's vision tower). */
export interface TokenModel {
  imageSize: number;
  patchSize: number;
  /** Colour channels of a patch (PP = channels · patch²). */
  channels: number;
  dim: number;
  heads: number;
  mlpDim: number;
  eps: number;
}

export function tokenDims(m: TokenModel, images: number): VitDims {
  const { dim: D, heads: H, mlpDim: F, eps } = m;
  const tokens: TokenSpec = { images, imageSize: m.imageSize, patchSize: m.patchSize, dim: D };
  const NP = patchCount(tokens);
  const TK = NP + 1;
  return {
    B: images,
    TK,
    R: images * TK,
    NP,
    PP: m.channels * m.patchSize ** 2,
    D,
    D3: 3 * D,
    F,
    H,
    eps,
    tokens,
    attention: { images, tokens: TK, heads: H, headDim: D / H },
    attentionInvocations: images * H * Math.ceil(TK / GROUP),
  };
}

export function vitDims(config: VitConfig, images: number): VitDims {
  return tokenDims({ ...config, channels: 1 }, images);
}

/** The residual stream and its gradient, and the embedding's activations. */
export interface StreamBuffers {
  images: GPUBuffer;
  patches: GPUBuffer;
  emb: GPUBuffer;
  x: GPUBuffer;
  dx: GPUBuffer;
  /** Backward scratch shared by the blocks (∂ of a block's LayerNorm output). */
  dh: GPUBuffer;
  demb: GPUBuffer;
  dpos: GPUBuffer;
}

export function streamBuffers(p: DispatchPlan, d: VitDims, imageFloats: number): StreamBuffers {
  return {
    images: p.buffer(imageFloats, 'images'),
    patches: p.buffer(d.B * d.NP * d.PP, 'patches'),
    emb: p.buffer(d.B * d.NP * d.D, 'patch embeddings'),
    x: p.buffer(d.R * d.D, 'residual stream'),
    dx: p.buffer(d.R * d.D, '∂x'),
    dh: p.buffer(d.R * d.D, '∂h'),
    demb: p.buffer(d.B * d.NP * d.D, '∂emb'),
    dpos: p.buffer(d.TK * d.D, '∂pos'),
  };
}

/** What one transformer block keeps for its backward. */
export interface BlockBuffers {
  xhat1: GPUBuffer;
  rstd1: GPUBuffer;
  h: GPUBuffer;
  qkv: GPUBuffer;
  probs: GPUBuffer;
  o: GPUBuffer;
  xhat2: GPUBuffer;
  rstd2: GPUBuffer;
  h2: GPUBuffer;
  z: GPUBuffer;
  g: GPUBuffer;
}

export function blockBuffers(p: DispatchPlan, d: VitDims, i: number): BlockBuffers {
  const { R, D, D3, F, B, H, TK } = d;
  return {
    xhat1: p.buffer(R * D, `b${i} x̂1`),
    rstd1: p.buffer(R, `b${i} rstd1`),
    h: p.buffer(R * D, `b${i} h`),
    qkv: p.buffer(R * D3, `b${i} qkv`),
    probs: p.buffer(B * H * TK * TK, `b${i} P`),
    o: p.buffer(R * D, `b${i} o`),
    xhat2: p.buffer(R * D, `b${i} x̂2`),
    rstd2: p.buffer(R, `b${i} rstd2`),
    h2: p.buffer(R * D, `b${i} h2`),
    z: p.buffer(R * F, `b${i} z`),
    g: p.buffer(R * F, `b${i} g`),
  };
}

/** The backward scratch of the blocks (sized for the widest block). */
export interface BlockScratch {
  dz: GPUBuffer;
  dO: GPUBuffer;
  ds: GPUBuffer;
  dqkv: GPUBuffer;
}

export function blockScratch(p: DispatchPlan, d: VitDims): BlockScratch {
  return {
    dz: p.buffer(d.R * d.F, '∂z'),
    dO: p.buffer(d.R * d.D, '∂o'),
    ds: p.buffer(d.B * d.H * d.TK * d.TK, '∂S'),
    dqkv: p.buffer(d.R * d.D3, '∂qkv'),
  };
}

/** Per-task heads (one packed buffer) and what the objective keeps for the backward. */
export interface HeadBuffers {
  cls: GPUBuffer;
  xhatF: GPUBuffer;
  rstdF: GPUBuffer;
  feature: GPUBuffer;
  entropy: GPUBuffer;
  dfeature: GPUBuffer;
  dcls: GPUBuffer;
  loss: GPUBuffer;
  heads: GPUBuffer;
}
