/**
 * The zoo ViT's step composed from the named kernels (kernels.ts), one function per
 * architecture block and direction: embedding (patchify, patch projection, CLS + position
 * tokens), attention block (LN₁, qkv, attention, projection into the residual), MLP block
 * (LN₂, fc1 + GELU, fc2 into the residual), and the heads / entropy objective (CLS, final LN,
 * per-task heads, mean entropy). The forward is vit.ts's, op for op; each backward is its
 * hand-written derivative, in reverse order. The buffers are vit-buffers.ts's.
 */
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
  type NormShape,
  type Recorder,
} from './kernels';
import type {
  BlockBuffers,
  BlockScratch,
  HeadBuffers,
  HeadSpec,
  StreamBuffers,
  VitDims,
} from './vit-buffers';
import {
  attentionBackKeyShader,
  attentionBackQueryShader,
  attentionShader,
} from './wgsl-attention';
import {
  assembleTokensShader,
  copyShader,
  gatherClsShader,
  patchifyShader,
  patchTokenGradShader,
  scatterClsShader,
} from './wgsl-embed';
import { headEntropyShader, taskLossShader } from './wgsl-objective';

/** One transformer block i: what its kernels record into, read and keep. */
export interface Block {
  r: Recorder;
  d: VitDims;
  s: StreamBuffers;
  b: BlockBuffers;
  scratch: BlockScratch;
  i: number;
  /** Full name of the block's tensor `t` (`encoder.blocks.<i>.<t>`). */
  n: (t: string) => string;
}

export function vitBlock(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  b: BlockBuffers,
  scratch: BlockScratch,
  i: number,
): Block {
  return { r, d, s, b, scratch, i, n: (t) => `encoder.blocks.${i}.${t}` };
}

const rowsNorm = (d: VitDims): NormShape => ({ rows: d.R, width: d.D, eps: d.eps });

/** Patches → patch embeddings → tokens (CLS + patches, plus position embeddings) in x. */
export function embeddingForward(r: Recorder, d: VitDims, s: StreamBuffers): void {
  const { B, NP, PP, D, R } = d;
  r.plan.add(
    'forward',
    'patchify',
    patchifyShader(d.tokens),
    [whole(s.images), whole(s.patches)],
    B * NP * PP,
  );
  matMul(
    r,
    'forward',
    'patch embed',
    { m: B * NP, k: PP, n: D, a: 'N' },
    whole(s.patches),
    W(r, 'encoder.patch_embed.weight'),
    whole(s.emb),
    { bias: W(r, 'encoder.patch_embed.bias') },
  );
  r.plan.add(
    'forward',
    'tokens',
    assembleTokensShader(d.tokens),
    [whole(s.emb), W(r, 'encoder.cls_token'), W(r, 'encoder.pos_embed'), whole(s.x)],
    R * D,
  );
}

/** y = x·W + b over `rows` rows (the epilogue adds y into the residual, or applies GELU). */
function linearForward(
  r: Recorder,
  label: string,
  shape: { rows: number; in: number; out: number; epilogue?: 'accumulate' | 'gelu' },
  x: GPUBuffer,
  tensor: string,
  y: GPUBuffer,
  aux?: GPUBuffer,
): void {
  matMul(
    r,
    'forward',
    label,
    { m: shape.rows, k: shape.in, n: shape.out, a: 'N', epilogue: shape.epilogue },
    whole(x),
    W(r, `${tensor}.weight`),
    whole(y),
    { bias: W(r, `${tensor}.bias`), ...(aux ? { aux: whole(aux) } : {}) },
  );
}

/** A pre-LN block's LayerNorm of the residual stream, keeping x̂ and 1/σ. */
export function residualNormForward(
  r: Recorder,
  d: VitDims,
  label: string,
  norm: string,
  s: StreamBuffers,
  out: { y: GPUBuffer; xhat: GPUBuffer; rstd: GPUBuffer },
): void {
  layerNormForward(
    r,
    label,
    rowsNorm(d),
    s.x,
    { gamma: W(r, `${norm}.weight`), beta: W(r, `${norm}.bias`) },
    out,
  );
}

/** The block's packed qkv → attention output o (softmax P kept for the backward). */
export function selfAttention(block: Block): void {
  const { r, d, b, i } = block;
  r.plan.add(
    'forward',
    `b${i} attention`,
    attentionShader(d.attention),
    [whole(b.qkv), whole(b.o), whole(b.probs)],
    d.attentionInvocations,
  );
}

/** ∂o (scratch.dO) → ∂qkv (scratch.dqkv): the query pass, then the key/value pass. */
export function selfAttentionBackward(block: Block): void {
  const { r, d, b, scratch, i } = block;
  const attentionInputs = [
    whole(b.qkv),
    whole(b.probs),
    whole(scratch.dO),
    whole(scratch.ds),
    whole(scratch.dqkv),
  ];
  r.plan.add(
    'backward',
    `b${i} attention′ q`,
    attentionBackQueryShader(d.attention),
    attentionInputs,
    d.attentionInvocations,
  );
  r.plan.add(
    'backward',
    `b${i} attention′ kv`,
    attentionBackKeyShader(d.attention),
    attentionInputs,
    d.attentionInvocations,
  );
}

/** x += proj(attention(qkv(LN₁(x)))). */
export function attentionForward(block: Block): void {
  const { r, d, s, b, i, n } = block;
  const { R, D, D3 } = d;
  residualNormForward(r, d, `b${i} ln1`, n('norm1'), s, { y: b.h, xhat: b.xhat1, rstd: b.rstd1 });
  linearForward(r, `b${i} qkv`, { rows: R, in: D, out: D3 }, b.h, n('attn.qkv'), b.qkv);
  selfAttention(block);
  const residual = { rows: R, in: D, out: D, epilogue: 'accumulate' } as const;
  linearForward(r, `b${i} proj`, residual, b.o, n('attn.proj'), s.x);
}

/** x += fc2(GELU(fc1(LN₂(x)))). */
export function mlpForward(block: Block): void {
  const { r, d, s, b, i, n } = block;
  const { R, D, F } = d;
  residualNormForward(r, d, `b${i} ln2`, n('norm2'), s, { y: b.h2, xhat: b.xhat2, rstd: b.rstd2 });
  const gelu = { rows: R, in: D, out: F, epilogue: 'gelu' } as const;
  linearForward(r, `b${i} fc1`, gelu, b.h2, n('mlp.fc1'), b.g, b.z);
  const residual = { rows: R, in: F, out: D, epilogue: 'accumulate' } as const;
  linearForward(r, `b${i} fc2`, residual, b.g, n('mlp.fc2'), s.x);
}

/**
 * ∂W and ∂b of y = x·W + b for a [R, in] input and [R, out] output gradient (a weight
 * gradient Aᵀ·B with the bias gradient as B's column sums).
 */
function weightGradient(
  r: Recorder,
  label: string,
  shape: { rows: number; in: number; out: number },
  x: GPUBuffer,
  dy: GPUBuffer,
  tensor: string,
): void {
  matMul(
    r,
    'backward',
    label,
    { m: shape.in, k: shape.rows, n: shape.out, a: 'T' },
    whole(x),
    whole(dy),
    G(r, `${tensor}.weight`),
    { sums: G(r, `${tensor}.bias`) },
  );
}

/** ∂x = ∂y·Wᵀ of y = x·W + b (through an epilogue such as GELU′ when given). */
function inputGradient(
  r: Recorder,
  label: string,
  shape: { rows: number; in: number; out: number; epilogue?: 'geluGrad' },
  dy: GPUBuffer,
  tensor: string,
  dx: GPUBuffer,
  aux?: GPUBuffer,
): void {
  matMul(
    r,
    'backward',
    label,
    { m: shape.rows, k: shape.out, n: shape.in, a: 'N', epilogue: shape.epilogue },
    whole(dy),
    WT(r, `${tensor}.weight`),
    whole(dx),
    aux ? { aux: whole(aux) } : {},
  );
}

/** A pre-LN block's LayerNorm backward: ∂γ, ∂β, then ∂x added to the residual's gradient. */
export function residualNormBackward(
  r: Recorder,
  d: VitDims,
  labels: { params: string; data: string },
  norm: string,
  s: StreamBuffers,
  saved: { xhat: GPUBuffer; rstd: GPUBuffer },
): void {
  layerNormParams(r, labels.params, rowsNorm(d), s.dh, saved.xhat, {
    gamma: G(r, `${norm}.weight`),
    beta: G(r, `${norm}.bias`),
  });
  layerNormBackward(
    r,
    labels.data,
    rowsNorm(d),
    { dy: s.dh, xhat: saved.xhat, rstd: saved.rstd, gamma: W(r, `${norm}.weight`) },
    s.dx,
    true,
  );
}

/** Backward of mlpForward: ∂fc2, ∂z (GELU′), ∂fc1, ∂h₂, ∂LN₂ (into ∂x, residual). */
export function mlpBackward(block: Block): void {
  const { r, d, s, b, scratch, i, n } = block;
  const { R, D, F } = d;
  weightGradient(r, `b${i} ∂fc2.w`, { rows: R, in: F, out: D }, b.g, s.dx, n('mlp.fc2'));
  inputGradient(
    r,
    `b${i} ∂z`,
    { rows: R, in: F, out: D, epilogue: 'geluGrad' },
    s.dx,
    n('mlp.fc2'),
    scratch.dz,
    b.z,
  );
  weightGradient(r, `b${i} ∂fc1.w`, { rows: R, in: D, out: F }, b.h2, scratch.dz, n('mlp.fc1'));
  inputGradient(r, `b${i} ∂h2`, { rows: R, in: D, out: F }, scratch.dz, n('mlp.fc1'), s.dh);
  residualNormBackward(r, d, { params: `b${i} ∂norm2`, data: `b${i} ln2′` }, n('norm2'), s, {
    xhat: b.xhat2,
    rstd: b.rstd2,
  });
}

/** Backward of attentionForward: ∂proj, ∂o, attention′ (q, then k and v), ∂qkv, ∂LN₁. */
export function attentionBackward(block: Block): void {
  const { r, d, s, b, scratch, i, n } = block;
  const { R, D, D3 } = d;
  weightGradient(r, `b${i} ∂proj.w`, { rows: R, in: D, out: D }, b.o, s.dx, n('attn.proj'));
  inputGradient(r, `b${i} ∂o`, { rows: R, in: D, out: D }, s.dx, n('attn.proj'), scratch.dO);
  selfAttentionBackward(block);
  weightGradient(r, `b${i} ∂qkv.w`, { rows: R, in: D, out: D3 }, b.h, scratch.dqkv, n('attn.qkv'));
  inputGradient(r, `b${i} ∂h`, { rows: R, in: D, out: D3 }, scratch.dqkv, n('attn.qkv'), s.dh);
  residualNormBackward(r, d, { params: `b${i} ∂norm1`, data: `b${i} ln1′` }, n('norm1'), s, {
    xhat: b.xhat1,
    rstd: b.rstd1,
  });
}

/**
 * From ∂ of the assembled tokens (CLS + patches, + positions): ∂pos = Σ over images, ∂cls its
 * first row (read from a scratch copy: one dispatch may not read and write the same buffer),
 * and the patch tokens' gradient into s.demb for the patch projection's weight gradient.
 */
export function tokenGradients(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  dtokens: GPUBuffer,
  names: { pos: string; cls: string },
): void {
  const { B, TK, D, NP } = d;
  columnSum(r, 'backward', '∂pos_embed', B, TK * D, whole(dtokens), whole(s.dpos));
  r.plan.add('backward', '∂pos copy', copyShader(TK * D), [whole(s.dpos), G(r, names.pos)], TK * D);
  r.plan.add('backward', '∂cls_token', copyShader(D), [whole(s.dpos), G(r, names.cls)], D);
  r.plan.add(
    'backward',
    '∂patch tokens',
    patchTokenGradShader(d.tokens),
    [whole(dtokens), whole(s.demb)],
    B * NP * D,
  );
}

/** Backward of embeddingForward: ∂pos, ∂cls, ∂patch tokens, ∂patch_embed. */
export function embeddingBackward(r: Recorder, d: VitDims, s: StreamBuffers): void {
  const { B, D, NP, PP } = d;
  tokenGradients(r, d, s, s.dx, { pos: 'encoder.pos_embed', cls: 'encoder.cls_token' });
  matMul(
    r,
    'backward',
    '∂patch_embed.w',
    { m: PP, k: B * NP, n: D, a: 'T' },
    whole(s.patches),
    whole(s.demb),
    G(r, 'encoder.patch_embed.weight'),
    { sums: G(r, 'encoder.patch_embed.bias') },
  );
}

/** CLS rows of x → LayerNorm `norm` over them (x̂ and 1/σ kept): the pooled feature. */
export function clsNormForward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  norm: { name: string; label: string },
  out: { cls: GPUBuffer; y: GPUBuffer; xhat: GPUBuffer; rstd: GPUBuffer },
): void {
  const { B, D } = d;
  r.plan.add('forward', 'cls', gatherClsShader(d.tokens), [whole(s.x), whole(out.cls)], B * D);
  layerNormForward(
    r,
    norm.label,
    { rows: B, width: D, eps: d.eps },
    out.cls,
    { gamma: W(r, `${norm.name}.weight`), beta: W(r, `${norm.name}.bias`) },
    out,
  );
}

/**
 * Each task's own head on its rows of `feature` → entropy per image (and ∂entropy/∂feature in
 * the same kernel) → mean entropy per task.
 */
export function entropyObjective(
  r: Recorder,
  spec: HeadSpec,
  b: { feature: GPUBuffer; heads: GPUBuffer; entropy: GPUBuffer; dfeature: GPUBuffer },
  loss: GPUBuffer,
): void {
  r.plan.add(
    'forward',
    'heads',
    headEntropyShader(spec),
    [whole(b.feature), whole(b.heads), whole(b.entropy), whole(b.dfeature)],
    spec.tasks * spec.perTask,
  );
  r.plan.add(
    'forward',
    'loss',
    taskLossShader(spec.tasks, spec.perTask),
    [whole(b.entropy), whole(loss)],
    spec.tasks,
  );
}

/** Backward of clsNormForward: LayerNorm′ of ∂y into ∂cls, its γ and β, ∂cls into ∂x's CLS rows. */
export function clsNormBackward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  norm: { name: string; label: string },
  saved: { dy: GPUBuffer; xhat: GPUBuffer; rstd: GPUBuffer; dcls: GPUBuffer },
): void {
  const { B, D, R } = d;
  const shape = { rows: B, width: D, eps: d.eps };
  const { dy, xhat, rstd, dcls } = saved;
  const gamma = W(r, `${norm.name}.weight`);
  layerNormBackward(r, `${norm.label}′`, shape, { dy, xhat, rstd, gamma }, dcls, false);
  layerNormParams(r, `∂${norm.label}`, shape, dy, xhat, {
    gamma: G(r, `${norm.name}.weight`),
    beta: G(r, `${norm.name}.bias`),
  });
  r.plan.add('backward', 'cls′', scatterClsShader(d.tokens), [whole(dcls), whole(s.dx)], R * D);
}

const FINAL_NORM = { name: 'encoder.norm', label: 'final ln' };

/** CLS → final LN → each task's own head → mean entropy per task. */
export function headsObjectiveForward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  h: HeadBuffers,
  spec: HeadSpec,
): void {
  clsNormForward(r, d, s, FINAL_NORM, { cls: h.cls, y: h.feature, xhat: h.xhatF, rstd: h.rstdF });
  entropyObjective(r, spec, h, h.loss);
}

/** Backward of the final LN (and its γ, β) into ∂cls, scattered into ∂x's CLS rows. */
export function headsObjectiveBackward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  h: HeadBuffers,
): void {
  clsNormBackward(r, d, s, FINAL_NORM, {
    dy: h.dfeature,
    xhat: h.xhatF,
    rstd: h.rstdF,
    dcls: h.dcls,
  });
}
