/**
 * HF CLIP's vision tower (transformers' CLIPVisionTransformer) composed from the fused step's
 * kernels, one function per block and direction, the forward op for op as
 * src/models/clip/vision.ts: embeddings (NHWC patches · conv weight without bias, class
 * embedding + position embeddings, pre_layrnorm), each pre-LN encoder layer (layer_norm1, q/k/v
 * with biases and the head_dim^-½ scale, out_proj into the residual; layer_norm2, fc1 +
 * quick_gelu/gelu, fc2 into the residual), and the objective (post_layernorm of the CLS token,
 * the fixed visual_projection, the unit embedding against each task's zero-shot head, mean
 * entropy). Weights are PyTorch's [out, in]: the forward multiplies by θᵀ (made in the merge
 * phase), the input gradients by θ itself, and ∂W = ∂yᵀ·x lands in ∂θ's layout directly.
 * Where a block is the zoo ViT's (LayerNorms of the residual stream, the attention kernels,
 * the token gradients) vit-blocks.ts's functions are used as they are.
 */
import type { ClipActivation } from '../../../models';
import {
  columnSum,
  gradient as G,
  layerNormBackward,
  layerNormForward,
  layerNormParams,
  matMul,
  weight as W,
  weightT as WT,
  whole,
  type Recorder,
} from './kernels';
import type { ClipEmbedBuffers, ClipHeadBuffers, QkvScratch } from './clip-buffers';
import {
  clsNormBackward,
  clsNormForward,
  entropyObjective,
  residualNormBackward,
  residualNormForward,
  selfAttention,
  selfAttentionBackward,
  tokenGradients,
  type Block,
} from './vit-blocks';
import type { HeadSpec, StreamBuffers, VitDims } from './vit-buffers';
import { assembleTokensShader } from './wgsl-embed';
import type { Gelu } from './wgsl-linear';
import {
  concat3Shader,
  packQkvTransposedShader,
  patchifyNhwcShader,
  split3Shader,
} from './wgsl-clip';

const V = 'vision_model';
const EMB = `${V}.embeddings`;
const PATCH = `${EMB}.patch_embedding.weight`;

/** The fused kernels' GELU for a CLIP hidden_act, or null (then tfjs autodiff runs). */
export function geluOf(act: ClipActivation): Gelu | null {
  if (act === 'quick_gelu') return 'quick';
  if (act === 'gelu') return 'erf';
  if (act === 'gelu_new' || act === 'gelu_pytorch_tanh') return 'tanh';
  return null;
}

/** One encoder layer i: a vit-blocks Block named `vision_model.encoder.layers.<i>.*`. */
export interface ClipLayer extends Block {
  qkv: QkvScratch;
  gelu: Gelu;
}

export function clipLayer(block: Omit<Block, 'n'>, qkv: QkvScratch, gelu: Gelu): ClipLayer {
  return { ...block, qkv, gelu, n: (t) => `${V}.encoder.layers.${block.i}.${t}` };
}

/** y (+)= x·Wᵀ + b for W [out, in] (θᵀ holds Wᵀ); the epilogue adds into y or applies GELU. */
function linear(
  r: Recorder,
  label: string,
  shape: { rows: number; in: number; out: number; epilogue?: 'accumulate' | 'gelu' },
  x: GPUBuffer,
  tensor: string,
  y: GPUBuffer,
  extra: { aux?: GPUBuffer; gelu?: Gelu } = {},
): void {
  matMul(
    r,
    'forward',
    label,
    {
      m: shape.rows,
      k: shape.in,
      n: shape.out,
      a: 'N',
      epilogue: shape.epilogue,
      gelu: extra.gelu,
    },
    whole(x),
    WT(r, `${tensor}.weight`),
    whole(y),
    { bias: W(r, `${tensor}.bias`), ...(extra.aux ? { aux: whole(extra.aux) } : {}) },
  );
}

/** ∂W = ∂yᵀ·x ([out, in], into ∂θ) and ∂b = Σ_rows ∂y of y = x·Wᵀ + b. */
function linearParamGradient(
  r: Recorder,
  label: string,
  shape: { rows: number; in: number; out: number },
  x: GPUBuffer,
  dy: GPUBuffer,
  tensor: string,
): void {
  const { rows, out } = shape;
  matMul(
    r,
    'backward',
    `${label}.w`,
    { m: out, k: rows, n: shape.in, a: 'T' },
    whole(dy),
    whole(x),
    G(r, `${tensor}.weight`),
  );
  columnSum(r, 'backward', `${label}.b`, rows, out, whole(dy), G(r, `${tensor}.bias`));
}

/** ∂x = ∂y·W of y = x·Wᵀ + b (times GELU′(z) when the layer was fc1's input: `aux` = z). */
function linearInputGradient(
  r: Recorder,
  label: string,
  shape: { rows: number; in: number; out: number },
  dy: GPUBuffer,
  tensor: string,
  dx: GPUBuffer,
  geluOfZ?: { z: GPUBuffer; gelu: Gelu },
): void {
  matMul(
    r,
    'backward',
    label,
    {
      m: shape.rows,
      k: shape.out,
      n: shape.in,
      a: 'N',
      ...(geluOfZ ? { epilogue: 'geluGrad' as const, gelu: geluOfZ.gelu } : {}),
    },
    whole(dy),
    W(r, `${tensor}.weight`),
    whole(dx),
    geluOfZ ? { aux: whole(geluOfZ.z) } : {},
  );
}

/** Pixels → patch tokens → [CLS; patches] + positions → pre_layrnorm into the stream x. */
export function clipEmbeddingForward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  e: ClipEmbedBuffers,
  channels: number,
): void {
  const { B, NP, PP, D, R } = d;
  r.plan.add(
    'forward',
    'patchify',
    patchifyNhwcShader(d.tokens, channels),
    [whole(s.images), whole(s.patches)],
    B * NP * PP,
  );
  matMul(
    r,
    'forward',
    'patch embed',
    { m: B * NP, k: PP, n: D, a: 'N' },
    whole(s.patches),
    WT(r, PATCH),
    whole(s.emb),
  );
  r.plan.add(
    'forward',
    'tokens',
    assembleTokensShader(d.tokens),
    [
      whole(s.emb),
      W(r, `${EMB}.class_embedding`),
      W(r, `${EMB}.position_embedding.weight`),
      whole(e.tokens),
    ],
    R * D,
  );
  layerNormForward(
    r,
    'pre ln',
    { rows: R, width: D, eps: d.eps },
    e.tokens,
    { gamma: W(r, `${V}.pre_layrnorm.weight`), beta: W(r, `${V}.pre_layrnorm.bias`) },
    { y: s.x, xhat: e.xhat, rstd: e.rstd },
  );
}

/** x += out_proj(attention(q, k, v of layer_norm1(x))). */
export function clipAttentionForward(layer: ClipLayer): void {
  const { r, d, s, b, i, n, qkv } = layer;
  const { R, D, D3 } = d;
  residualNormForward(r, d, `b${i} ln1`, n('layer_norm1'), s, {
    y: b.h,
    xhat: b.xhat1,
    rstd: b.rstd1,
  });
  const a = (p: string, t: string) => W(r, n(`self_attn.${p}_proj.${t}`));
  r.plan.add(
    'forward',
    `b${i} qkv pack`,
    packQkvTransposedShader(D),
    [a('q', 'weight'), a('k', 'weight'), a('v', 'weight'), whole(qkv.weightT)],
    D * D3,
  );
  r.plan.add(
    'forward',
    `b${i} qkv bias pack`,
    concat3Shader(D),
    [a('q', 'bias'), a('k', 'bias'), a('v', 'bias'), whole(qkv.bias)],
    D3,
  );
  matMul(
    r,
    'forward',
    `b${i} qkv`,
    { m: R, k: D, n: D3, a: 'N' },
    whole(b.h),
    whole(qkv.weightT),
    whole(b.qkv),
    { bias: whole(qkv.bias) },
  );
  selfAttention(layer);
  const residual = { rows: R, in: D, out: D, epilogue: 'accumulate' } as const;
  linear(r, `b${i} out_proj`, residual, b.o, n('self_attn.out_proj'), s.x);
}

/** x += fc2(act(fc1(layer_norm2(x)))). */
export function clipMlpForward(layer: ClipLayer): void {
  const { r, d, s, b, i, n, gelu } = layer;
  const { R, D, F } = d;
  residualNormForward(r, d, `b${i} ln2`, n('layer_norm2'), s, {
    y: b.h2,
    xhat: b.xhat2,
    rstd: b.rstd2,
  });
  const fc1 = { rows: R, in: D, out: F, epilogue: 'gelu' } as const;
  linear(r, `b${i} fc1`, fc1, b.h2, n('mlp.fc1'), b.g, { aux: b.z, gelu });
  const residual = { rows: R, in: F, out: D, epilogue: 'accumulate' } as const;
  linear(r, `b${i} fc2`, residual, b.g, n('mlp.fc2'), s.x);
}

/** Backward of clipMlpForward: ∂fc2, ∂z (GELU′), ∂fc1, ∂h₂, ∂layer_norm2 (into ∂x). */
export function clipMlpBackward(layer: ClipLayer): void {
  const { r, d, s, b, scratch, i, n, gelu } = layer;
  const { R, D, F } = d;
  const fc2 = { rows: R, in: F, out: D };
  const fc1 = { rows: R, in: D, out: F };
  linearParamGradient(r, `b${i} ∂fc2`, fc2, b.g, s.dx, n('mlp.fc2'));
  linearInputGradient(r, `b${i} ∂z`, fc2, s.dx, n('mlp.fc2'), scratch.dz, { z: b.z, gelu });
  linearParamGradient(r, `b${i} ∂fc1`, fc1, b.h2, scratch.dz, n('mlp.fc1'));
  linearInputGradient(r, `b${i} ∂h2`, fc1, scratch.dz, n('mlp.fc1'), s.dh);
  residualNormBackward(r, d, { params: `b${i} ∂ln2`, data: `b${i} ln2′` }, n('layer_norm2'), s, {
    xhat: b.xhat2,
    rstd: b.rstd2,
  });
}

/** Backward of clipAttentionForward: ∂out_proj, ∂o, attention′, ∂q/k/v, ∂h, ∂layer_norm1. */
export function clipAttentionBackward(layer: ClipLayer): void {
  const { r, d, s, b, scratch, i, n, qkv } = layer;
  const { R, D, D3 } = d;
  const out = { rows: R, in: D, out: D };
  linearParamGradient(r, `b${i} ∂out_proj`, out, b.o, s.dx, n('self_attn.out_proj'));
  linearInputGradient(r, `b${i} ∂o`, out, s.dx, n('self_attn.out_proj'), scratch.dO);
  selfAttentionBackward(layer);
  const a = (p: string, t: string) => n(`self_attn.${p}_proj.${t}`);
  const per = (t: string, buffer: (name: string) => ReturnType<typeof W>) =>
    ['q', 'k', 'v'].map((p) => buffer(a(p, t)));
  // ∂[Wq; Wk; Wv] = ∂qkvᵀ·h, split into the three tensors; the biases from ∂qkv's column sums.
  matMul(
    r,
    'backward',
    `b${i} ∂qkv.w`,
    { m: D3, k: R, n: D, a: 'T' },
    whole(scratch.dqkv),
    whole(b.h),
    whole(qkv.dStacked),
  );
  r.plan.add(
    'backward',
    `b${i} ∂qkv.w split`,
    split3Shader(D * D),
    [whole(qkv.dStacked), ...per('weight', (x) => G(r, x))],
    D * D,
  );
  columnSum(r, 'backward', `b${i} ∂qkv.b`, R, D3, whole(scratch.dqkv), whole(qkv.dBias));
  r.plan.add(
    'backward',
    `b${i} ∂qkv.b split`,
    split3Shader(D),
    [whole(qkv.dBias), ...per('bias', (x) => G(r, x))],
    D,
  );
  // ∂h = ∂qkv·[Wq; Wk; Wv].
  r.plan.add(
    'backward',
    `b${i} qkv stack`,
    concat3Shader(D * D),
    [...per('weight', (x) => W(r, x)), whole(qkv.stacked)],
    D3 * D,
  );
  matMul(
    r,
    'backward',
    `b${i} ∂h`,
    { m: R, k: D3, n: D, a: 'N' },
    whole(scratch.dqkv),
    whole(qkv.stacked),
    whole(s.dh),
  );
  residualNormBackward(r, d, { params: `b${i} ∂ln1`, data: `b${i} ln1′` }, n('layer_norm1'), s, {
    xhat: b.xhat1,
    rstd: b.rstd1,
  });
}

/** Backward of clipEmbeddingForward: ∂pre_layrnorm, ∂positions, ∂class embedding, ∂conv. */
export function clipEmbeddingBackward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  e: ClipEmbedBuffers,
): void {
  const { B, NP, PP, D, R } = d;
  const norm = { rows: R, width: D, eps: d.eps };
  const pre = `${V}.pre_layrnorm`;
  layerNormParams(r, '∂pre ln', norm, s.dx, e.xhat, {
    gamma: G(r, `${pre}.weight`),
    beta: G(r, `${pre}.bias`),
  });
  layerNormBackward(
    r,
    'pre ln′',
    norm,
    { dy: s.dx, xhat: e.xhat, rstd: e.rstd, gamma: W(r, `${pre}.weight`) },
    s.dh,
    false,
  );
  tokenGradients(r, d, s, s.dh, {
    pos: `${EMB}.position_embedding.weight`,
    cls: `${EMB}.class_embedding`,
  });
  matMul(
    r,
    'backward',
    '∂patch_embedding',
    { m: D, k: B * NP, n: PP, a: 'T' },
    whole(s.demb),
    whole(s.patches),
    G(r, PATCH),
  );
}

const POST_NORM = { name: `${V}.post_layernorm`, label: 'post ln' };

/**
 * CLS → post_layernorm → visual_projection → unit embedding · each task's head (× exp(logit
 * scale), uploaded so) → entropy per image with its gradient → mean entropy per task.
 */
export function clipObjectiveForward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  h: ClipHeadBuffers,
  spec: HeadSpec,
): void {
  clsNormForward(r, d, s, POST_NORM, { cls: h.cls, y: h.pooled, xhat: h.xhat, rstd: h.rstd });
  matMul(
    r,
    'forward',
    'visual_projection',
    { m: d.B, k: d.D, n: spec.dim, a: 'N' },
    whole(h.pooled),
    whole(h.projectionT),
    whole(h.embeds),
  );
  entropyObjective(r, spec, { ...h, feature: h.embeds, dfeature: h.dEmbeds }, h.loss);
}

/** ∂pooled = ∂embeds·P, post_layernorm′ (and its γ, β) into ∂cls, scattered into ∂x. */
export function clipObjectiveBackward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  h: ClipHeadBuffers,
  projectionDim: number,
): void {
  matMul(
    r,
    'backward',
    '∂pooled',
    { m: d.B, k: projectionDim, n: d.D, a: 'N' },
    whole(h.dEmbeds),
    whole(h.projection),
    whole(h.dPooled),
  );
  clsNormBackward(r, d, s, POST_NORM, { dy: h.dPooled, xhat: h.xhat, rstd: h.rstd, dcls: h.dcls });
}
