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

const blockName =
  (i: number) =>
  (t: string): string =>
    `encoder.blocks.${i}.${t}`;

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

/** x += proj(attention(qkv(LN₁(x)))). */
export function attentionForward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  b: BlockBuffers,
  i: number,
): void {
  const n = blockName(i);
  const { R, D, D3 } = d;
  layerNormForward(
    r,
    `b${i} ln1`,
    rowsNorm(d),
    s.x,
    { gamma: W(r, n('norm1.weight')), beta: W(r, n('norm1.bias')) },
    { y: b.h, xhat: b.xhat1, rstd: b.rstd1 },
  );
  matMul(
    r,
    'forward',
    `b${i} qkv`,
    { m: R, k: D, n: D3, a: 'N' },
    whole(b.h),
    W(r, n('attn.qkv.weight')),
    whole(b.qkv),
    { bias: W(r, n('attn.qkv.bias')) },
  );
  r.plan.add(
    'forward',
    `b${i} attention`,
    attentionShader(d.attention),
    [whole(b.qkv), whole(b.o), whole(b.probs)],
    d.attentionInvocations,
  );
  matMul(
    r,
    'forward',
    `b${i} proj`,
    { m: R, k: D, n: D, a: 'N', epilogue: 'accumulate' },
    whole(b.o),
    W(r, n('attn.proj.weight')),
    whole(s.x),
    { bias: W(r, n('attn.proj.bias')) },
  );
}

/** x += fc2(GELU(fc1(LN₂(x)))). */
export function mlpForward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  b: BlockBuffers,
  i: number,
): void {
  const n = blockName(i);
  const { R, D, F } = d;
  layerNormForward(
    r,
    `b${i} ln2`,
    rowsNorm(d),
    s.x,
    { gamma: W(r, n('norm2.weight')), beta: W(r, n('norm2.bias')) },
    { y: b.h2, xhat: b.xhat2, rstd: b.rstd2 },
  );
  matMul(
    r,
    'forward',
    `b${i} fc1`,
    { m: R, k: D, n: F, a: 'N', epilogue: 'gelu' },
    whole(b.h2),
    W(r, n('mlp.fc1.weight')),
    whole(b.g),
    { bias: W(r, n('mlp.fc1.bias')), aux: whole(b.z) },
  );
  matMul(
    r,
    'forward',
    `b${i} fc2`,
    { m: R, k: F, n: D, a: 'N', epilogue: 'accumulate' },
    whole(b.g),
    W(r, n('mlp.fc2.weight')),
    whole(s.x),
    { bias: W(r, n('mlp.fc2.bias')) },
  );
}

/** Backward of mlpForward: ∂fc2, ∂z (GELU′), ∂fc1, ∂h₂, ∂LN₂ (into ∂x, residual). */
export function mlpBackward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  b: BlockBuffers,
  scratch: BlockScratch,
  i: number,
): void {
  const n = blockName(i);
  const { R, D, F } = d;
  matMul(
    r,
    'backward',
    `b${i} ∂fc2.w`,
    { m: F, k: R, n: D, a: 'T' },
    whole(b.g),
    whole(s.dx),
    G(r, n('mlp.fc2.weight')),
    { sums: G(r, n('mlp.fc2.bias')) },
  );
  matMul(
    r,
    'backward',
    `b${i} ∂z`,
    { m: R, k: D, n: F, a: 'N', epilogue: 'geluGrad' },
    whole(s.dx),
    WT(r, n('mlp.fc2.weight')),
    whole(scratch.dz),
    { aux: whole(b.z) },
  );
  matMul(
    r,
    'backward',
    `b${i} ∂fc1.w`,
    { m: D, k: R, n: F, a: 'T' },
    whole(b.h2),
    whole(scratch.dz),
    G(r, n('mlp.fc1.weight')),
    { sums: G(r, n('mlp.fc1.bias')) },
  );
  matMul(
    r,
    'backward',
    `b${i} ∂h2`,
    { m: R, k: F, n: D, a: 'N' },
    whole(scratch.dz),
    WT(r, n('mlp.fc1.weight')),
    whole(s.dh),
  );
  layerNormParams(r, `b${i} ∂norm2`, rowsNorm(d), s.dh, b.xhat2, {
    gamma: G(r, n('norm2.weight')),
    beta: G(r, n('norm2.bias')),
  });
  layerNormBackward(
    r,
    `b${i} ln2′`,
    rowsNorm(d),
    { dy: s.dh, xhat: b.xhat2, rstd: b.rstd2, gamma: W(r, n('norm2.weight')) },
    s.dx,
    true,
  );
}

/** Backward of attentionForward: ∂proj, ∂o, attention′ (q, then k and v), ∂qkv, ∂LN₁. */
export function attentionBackward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  b: BlockBuffers,
  scratch: BlockScratch,
  i: number,
): void {
  const n = blockName(i);
  const { R, D, D3 } = d;
  matMul(
    r,
    'backward',
    `b${i} ∂proj.w`,
    { m: D, k: R, n: D, a: 'T' },
    whole(b.o),
    whole(s.dx),
    G(r, n('attn.proj.weight')),
    { sums: G(r, n('attn.proj.bias')) },
  );
  matMul(
    r,
    'backward',
    `b${i} ∂o`,
    { m: R, k: D, n: D, a: 'N' },
    whole(s.dx),
    WT(r, n('attn.proj.weight')),
    whole(scratch.dO),
  );
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
  matMul(
    r,
    'backward',
    `b${i} ∂qkv.w`,
    { m: D, k: R, n: D3, a: 'T' },
    whole(b.h),
    whole(scratch.dqkv),
    G(r, n('attn.qkv.weight')),
    { sums: G(r, n('attn.qkv.bias')) },
  );
  matMul(
    r,
    'backward',
    `b${i} ∂h`,
    { m: R, k: D3, n: D, a: 'N' },
    whole(scratch.dqkv),
    WT(r, n('attn.qkv.weight')),
    whole(s.dh),
  );
  layerNormParams(r, `b${i} ∂norm1`, rowsNorm(d), s.dh, b.xhat1, {
    gamma: G(r, n('norm1.weight')),
    beta: G(r, n('norm1.bias')),
  });
  layerNormBackward(
    r,
    `b${i} ln1′`,
    rowsNorm(d),
    { dy: s.dh, xhat: b.xhat1, rstd: b.rstd1, gamma: W(r, n('norm1.weight')) },
    s.dx,
    true,
  );
}

/** Backward of embeddingForward: ∂pos (Σ over images), ∂cls, ∂patch tokens, ∂patch_embed. */
export function embeddingBackward(r: Recorder, d: VitDims, s: StreamBuffers): void {
  const { B, TK, D, NP, PP } = d;
  // ∂pos = Σ over images; ∂cls is its first row (read from a scratch copy: one dispatch may
  // not read and write the same buffer).
  columnSum(r, 'backward', '∂pos_embed', B, TK * D, whole(s.dx), whole(s.dpos));
  r.plan.add(
    'backward',
    '∂pos copy',
    copyShader(TK * D),
    [whole(s.dpos), G(r, 'encoder.pos_embed')],
    TK * D,
  );
  r.plan.add(
    'backward',
    '∂cls_token',
    copyShader(D),
    [whole(s.dpos), G(r, 'encoder.cls_token')],
    D,
  );
  r.plan.add(
    'backward',
    '∂patch tokens',
    patchTokenGradShader(d.tokens),
    [whole(s.dx), whole(s.demb)],
    B * NP * D,
  );
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

/**
 * CLS → final LN → each task's own head on its rows → entropy per image (and ∂entropy/∂feature
 * in the same kernel) → mean entropy per task.
 */
export function headsObjectiveForward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  h: HeadBuffers,
  spec: HeadSpec,
): void {
  const { B, D } = d;
  r.plan.add('forward', 'cls', gatherClsShader(d.tokens), [whole(s.x), whole(h.cls)], B * D);
  layerNormForward(
    r,
    'final ln',
    { rows: B, width: D, eps: d.eps },
    h.cls,
    { gamma: W(r, 'encoder.norm.weight'), beta: W(r, 'encoder.norm.bias') },
    { y: h.feature, xhat: h.xhatF, rstd: h.rstdF },
  );
  r.plan.add(
    'forward',
    'heads',
    headEntropyShader(spec),
    [whole(h.feature), whole(h.heads), whole(h.entropy), whole(h.dfeature)],
    B,
  );
  r.plan.add(
    'forward',
    'loss',
    taskLossShader(spec.tasks, spec.perTask),
    [whole(h.entropy), whole(h.loss)],
    spec.tasks,
  );
}

/** Backward of the final LN (and its γ, β) into ∂cls, scattered into ∂x's CLS rows. */
export function headsObjectiveBackward(
  r: Recorder,
  d: VitDims,
  s: StreamBuffers,
  h: HeadBuffers,
): void {
  const { B, D, R } = d;
  const finalNorm = { rows: B, width: D, eps: d.eps };
  layerNormBackward(
    r,
    'final ln′',
    finalNorm,
    { dy: h.dfeature, xhat: h.xhatF, rstd: h.rstdF, gamma: W(r, 'encoder.norm.weight') },
    h.dcls,
    false,
  );
  layerNormParams(r, '∂norm', finalNorm, h.dfeature, h.xhatF, {
    gamma: G(r, 'encoder.norm.weight'),
    beta: G(r, 'encoder.norm.bias'),
  });
  r.plan.add('backward', 'cls′', scatterClsShader(d.tokens), [whole(h.dcls), whole(s.dx)], R * D);
}
