/**
 * Records the fused AdaMerging step into a DispatchPlan (src/gpu/runtime): allocates θ₀, τ, θ, θᵀ, ∂θ, the λ/Adam state,
 * every activation the backward needs and the backward's scratch, and prepares each dispatch
 * (bind groups built once) in its phase — merge, forward, backward, update. The forward is
 * vit.ts's, op for op; the backward is its hand-written derivative (checked against tfjs
 * autodiff by fused.spec.ts and e2e/adamerging.e2e.ts). engine.ts replays it per step.
 */
import { isCosineHead, logitScaleOf, type VitConfig } from '../../../models';
import type { DispatchPlan, Range } from '../../../gpu';
import { packArrays, packLayout } from './layout';
import {
  GROUP,
  attentionBackKeyShader,
  attentionBackQueryShader,
  attentionShader,
} from './wgsl-attention';
import {
  assembleTokensShader,
  copyShader,
  gatherClsShader,
  patchCount,
  patchifyShader,
  patchTokenGradShader,
  scatterClsShader,
  type TokenSpec,
} from './wgsl-embed';
import {
  colSumShader,
  matMulInvocations,
  matMulShader,
  splitSumShader,
  transposeShader,
  type Epilogue,
} from './wgsl-linear';
import {
  layerNormBackShader,
  layerNormParamPartialShader,
  layerNormParamReduceShader,
  layerNormShader,
} from './wgsl-norm';
import {
  adamShader,
  headEntropyShader,
  lambdaChunks,
  lambdaGradReduceShader,
  lambdaGradShader,
  mergeShader,
  taskLossShader,
} from './wgsl-objective';

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

/** How the matMuls split their work over invocations. */
export interface MatMulBlocking {
  /** Output rows per invocation. */
  rows: number;
  /** Output column vec4s per invocation, at most (the largest divisor of N / 4 up to it). */
  columnVec4s: number;
  /**
   * Weight gradients (K = images × tokens, a few output blocks) split K into slices until
   * there are about this many invocations, then sum the slices (at most {@link MAX_SPLIT_K}).
   */
  invocationTarget: number;
}

/**
 * 16 rows × 16 columns per invocation. Measured in Chromium on lavapipe (matMuls of the zoo's
 * 2,176 rows; repeated dispatches, interleaved variants, load 4–7): 1.3–2× the GFLOPS of the
 * 8 × 8 block that an earlier sweep on Node's llvmpipe had found best among 8 × 4, 16 × 4 and
 * 32 × 4 — wide blocks had not been tried. A target of 256 invocations keeps both threads of
 * the CPU driver busy on the weight gradients.
 */
export const DEFAULT_BLOCKING: MatMulBlocking = { rows: 16, columnVec4s: 4, invocationTarget: 256 };
const MAX_SPLIT_K = 16;

/** The column vec4s per invocation for N outputs: the largest divisor of N / 4 up to `most`. */
function blockColumns(n: number, most: number): number {
  for (let c = most; c > 1; c--) if ((n / 4) % c === 0) return c;
  return 1;
}
/** Row chunks of the LayerNorm γ/β gradient sums (parallel partial sums, then one reduce). */
const LN_CHUNKS = 32;

export type FusedPhase = 'merge' | 'forward' | 'backward' | 'update';
export const FUSED_PHASES: FusedPhase[] = ['merge', 'forward', 'backward', 'update'];

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

export function recordFusedStep(p: DispatchPlan, input: FusedInput): StepIo {
  const { config } = input;
  const T = input.tasks.length;
  const columns = input.columns;
  const betas = input.betas ?? [0.9, 0.999];
  const device = p.device;
  const lengths = input.tensorNames.map((n) => input.base.get(n)!.length);
  const L = packLayout(input.tensorNames, lengths);
  const P = L.size;

  // Parameters, task vectors and λ state.
  const base = p.buffer(
    P,
    'θ₀',
    packArrays(
      L,
      input.tensorNames.map((n) => input.base.get(n)!),
    ),
  );
  const tau = p.buffer(T * P, 'τ');
  input.vectors.forEach((v, k) =>
    device.queue.writeBuffer(
      tau,
      k * P * 4,
      packArrays(
        L,
        input.tensorNames.map((n) => v.get(n)!),
      ),
    ),
  );
  const owner = p.buffer(P, 'owner', L.owner);
  const theta = p.buffer(P, 'θ');
  const thetaT = p.buffer(P, 'θᵀ');
  const grad = p.buffer(P, '∂θ');
  const lambdaCount = T * columns;
  const initial = new Float32Array(lambdaCount).fill(input.init);
  const lambda = p.buffer(lambdaCount, 'λ', initial);
  const used = p.buffer(
    lambdaCount,
    'λ used',
    input.clamp ? initial.map((x) => Math.min(1, Math.max(0, x))) : initial,
  );
  const moments = p.buffer(2 * lambdaCount, 'Adam m, v');
  const hyper = p.buffer(4, 'Adam hyper');
  const gradOut = p.buffer(lambdaCount, '∂λ');
  const partial = p.buffer(T * L.names.length, '∂λ per tensor');

  // Activations.
  const { dim: D, heads: H, mlpDim: F, eps } = config;
  const B = T * input.perTask;
  const tokenSpec: TokenSpec = {
    images: B,
    imageSize: config.imageSize,
    patchSize: config.patchSize,
    dim: D,
  };
  const NP = patchCount(tokenSpec);
  const TK = NP + 1;
  const R = B * TK;
  const PP = config.patchSize ** 2;
  const D3 = 3 * D;
  const imageFloats = B * config.imageSize ** 2;
  const images = p.buffer(imageFloats, 'images');
  const patches = p.buffer(B * NP * PP, 'patches');
  const emb = p.buffer(B * NP * D, 'patch embeddings');
  const x = p.buffer(R * D, 'residual stream');
  const attn = { images: B, tokens: TK, heads: H, headDim: D / H };
  const attentionInvocations = B * H * Math.ceil(TK / GROUP);
  const blocks = Array.from({ length: config.depth }, (_, i) => ({
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
  }));
  const cls = p.buffer(B * D, 'cls');
  const xhatF = p.buffer(B * D, 'x̂ final');
  const rstdF = p.buffer(B, 'rstd final');
  const feature = p.buffer(B * D, 'feature');
  const entropy = p.buffer(B, 'entropy');
  const dfeature = p.buffer(B * D, '∂feature');
  const loss = p.buffer(T, 'loss');
  const headData: number[] = [];
  const cosine = isCosineHead(config);
  const headSpec = {
    tasks: T,
    perTask: input.perTask,
    dim: D,
    classes: [] as number[],
    weightOffsets: [] as number[],
    biasOffsets: [] as number[],
    cosine,
  };
  for (const h of input.heads) {
    headSpec.classes.push(h.classes);
    headSpec.weightOffsets.push(headData.length);
    headData.push(...(cosine ? unitColumns(h.weight, h.classes, logitScaleOf(config)) : h.weight));
    headSpec.biasOffsets.push(headData.length);
    headData.push(...(cosine ? new Float32Array(h.classes) : h.bias));
  }
  const heads = p.buffer(headData.length, 'heads', new Float32Array(headData));
  // Backward scratch.
  const dx = p.buffer(R * D, '∂x');
  const dcls = p.buffer(B * D, '∂cls');
  const dz = p.buffer(R * F, '∂z');
  const dh = p.buffer(R * D, '∂h');
  const dO = p.buffer(R * D, '∂o');
  const ds = p.buffer(B * H * TK * TK, '∂S');
  const dqkv = p.buffer(R * D3, '∂qkv');
  const demb = p.buffer(B * NP * D, '∂emb');
  const dpos = p.buffer(TK * D, '∂pos');
  const lnPartial = p.buffer(2 * LN_CHUNKS * D, 'LN ∂γ, ∂β partials');
  const blocking = input.blocking ?? DEFAULT_BLOCKING;
  const splitPartial = p.buffer(MAX_SPLIT_K * Math.max(D * D3, D * F, PP * D), 'split-K partials');
  const splitPartialSums = p.buffer(MAX_SPLIT_K * Math.max(D3, F, D), 'split-K column sums');

  const at = (buffer: GPUBuffer, name: string): Range => {
    const l = L.names.indexOf(name);
    if (l < 0) throw new Error(`fused AdaMerging: tensor "${name}" is not merged`);
    return { buffer, offset: L.offsets[l]!, length: L.lengths[l]! };
  };
  const W = (name: string): Range => at(theta, name);
  const WT = (name: string): Range => at(thetaT, name);
  const G = (name: string): Range => at(grad, name);
  const mm = (
    phase: FusedPhase,
    label: string,
    spec: { m: number; k: number; n: number; a: 'N' | 'T'; epilogue?: Epilogue },
    a: Range,
    b: Range,
    c: Range,
    bias?: Range,
    aux?: Range,
    sums?: Range,
  ): void => {
    const columnGroups = blockColumns(spec.n, blocking.columnVec4s);
    const blocks = Math.ceil(spec.m / blocking.rows) * (spec.n / 4 / columnGroups);
    const split =
      spec.a === 'T'
        ? Math.min(MAX_SPLIT_K, spec.k, Math.max(1, Math.ceil(blocking.invocationTarget / blocks)))
        : 1;
    const s = {
      ...spec,
      epilogue: spec.epilogue ?? 'none',
      bias: Boolean(bias),
      rows: blocking.rows,
      columnGroups,
      colSums: Boolean(sums),
      splitK: split,
    };
    if (split === 1) {
      const bindings = [a, b, c, ...[bias, aux, sums].filter((r): r is Range => Boolean(r))];
      p.add(phase, label, matMulShader(s), bindings, matMulInvocations(s));
      return;
    }
    // Split-K: partial products (and column sums) per slice of rows, then their sums.
    const partial = { buffer: splitPartial };
    const partialSums = { buffer: splitPartialSums };
    p.add(
      phase,
      label,
      matMulShader(s),
      [a, b, partial, ...(sums ? [partialSums] : [])],
      matMulInvocations(s),
    );
    const count4 = (spec.m * spec.n) / 4;
    p.add(phase, `${label} Σ`, splitSumShader(count4, split), [partial, c], count4);
    if (sums)
      p.add(
        phase,
        `${label} Σ bias`,
        splitSumShader(spec.n / 4, split),
        [partialSums, sums],
        spec.n / 4,
      );
  };
  const colSum = (
    phase: FusedPhase,
    label: string,
    rows: number,
    n: number,
    a: Range,
    out: Range,
    b?: Range,
  ): void =>
    p.add(phase, label, colSumShader(rows, n, Boolean(b)), [a, out, ...(b ? [b] : [])], n / 4);

  /** ∂γ, ∂β of a LayerNorm: row chunks in parallel, then their sum. */
  const lnParams = (
    label: string,
    rows: number,
    dy: GPUBuffer,
    xhat: GPUBuffer,
    gamma: Range,
    beta: Range,
  ): void => {
    const chunks = Math.min(LN_CHUNKS, rows);
    p.add(
      'backward',
      `${label} partial`,
      layerNormParamPartialShader(rows, D, chunks),
      [{ buffer: dy }, { buffer: xhat }, { buffer: lnPartial }],
      chunks * (D / 4),
    );
    p.add(
      'backward',
      label,
      layerNormParamReduceShader(D, chunks),
      [{ buffer: lnPartial }, gamma, beta],
      D / 4,
    );
  };

  // Merge: θ from the λ in use, and θᵀ of every matrix for the backward's ∂x = ∂y·Wᵀ.
  const lambdaSpec = {
    tasks: T,
    size: P,
    columns: columns,
    offsets: L.offsets,
    lengths: L.lengths,
  };
  p.add(
    'merge',
    'merge',
    mergeShader(lambdaSpec),
    [{ buffer: base }, { buffer: tau }, { buffer: owner }, { buffer: used }, { buffer: theta }],
    P,
  );
  for (const name of L.names) {
    const shape = input.shapes.get(name)!;
    if (shape.length !== 2 || name.includes('patch_embed')) continue;
    p.add(
      'merge',
      `${name}ᵀ`,
      transposeShader(shape[0]!, shape[1]!),
      [W(name), WT(name)],
      shape[0]! * shape[1]!,
    );
  }

  // Forward.
  const f: FusedPhase = 'forward';
  p.add(
    f,
    'patchify',
    patchifyShader(tokenSpec),
    [{ buffer: images }, { buffer: patches }],
    B * NP * PP,
  );
  mm(
    f,
    'patch embed',
    { m: B * NP, k: PP, n: D, a: 'N' },
    { buffer: patches },
    W('encoder.patch_embed.weight'),
    { buffer: emb },
    W('encoder.patch_embed.bias'),
  );
  p.add(
    f,
    'tokens',
    assembleTokensShader(tokenSpec),
    [{ buffer: emb }, W('encoder.cls_token'), W('encoder.pos_embed'), { buffer: x }],
    R * D,
  );
  blocks.forEach((s, i) => {
    const n = (t: string): string => `encoder.blocks.${i}.${t}`;
    p.add(
      f,
      `b${i} ln1`,
      layerNormShader(R, D, eps),
      [
        { buffer: x },
        W(n('norm1.weight')),
        W(n('norm1.bias')),
        { buffer: s.h },
        { buffer: s.xhat1 },
        { buffer: s.rstd1 },
      ],
      R,
    );
    mm(
      f,
      `b${i} qkv`,
      { m: R, k: D, n: D3, a: 'N' },
      { buffer: s.h },
      W(n('attn.qkv.weight')),
      { buffer: s.qkv },
      W(n('attn.qkv.bias')),
    );
    p.add(
      f,
      `b${i} attention`,
      attentionShader(attn),
      [{ buffer: s.qkv }, { buffer: s.o }, { buffer: s.probs }],
      attentionInvocations,
    );
    mm(
      f,
      `b${i} proj`,
      { m: R, k: D, n: D, a: 'N', epilogue: 'accumulate' },
      { buffer: s.o },
      W(n('attn.proj.weight')),
      { buffer: x },
      W(n('attn.proj.bias')),
    );
    p.add(
      f,
      `b${i} ln2`,
      layerNormShader(R, D, eps),
      [
        { buffer: x },
        W(n('norm2.weight')),
        W(n('norm2.bias')),
        { buffer: s.h2 },
        { buffer: s.xhat2 },
        { buffer: s.rstd2 },
      ],
      R,
    );
    mm(
      f,
      `b${i} fc1`,
      { m: R, k: D, n: F, a: 'N', epilogue: 'gelu' },
      { buffer: s.h2 },
      W(n('mlp.fc1.weight')),
      { buffer: s.g },
      W(n('mlp.fc1.bias')),
      { buffer: s.z },
    );
    mm(
      f,
      `b${i} fc2`,
      { m: R, k: F, n: D, a: 'N', epilogue: 'accumulate' },
      { buffer: s.g },
      W(n('mlp.fc2.weight')),
      { buffer: x },
      W(n('mlp.fc2.bias')),
    );
  });
  p.add(f, 'cls', gatherClsShader(tokenSpec), [{ buffer: x }, { buffer: cls }], B * D);
  p.add(
    f,
    'final ln',
    layerNormShader(B, D, eps),
    [
      { buffer: cls },
      W('encoder.norm.weight'),
      W('encoder.norm.bias'),
      { buffer: feature },
      { buffer: xhatF },
      { buffer: rstdF },
    ],
    B,
  );
  p.add(
    f,
    'heads',
    headEntropyShader(headSpec),
    [{ buffer: feature }, { buffer: heads }, { buffer: entropy }, { buffer: dfeature }],
    B,
  );
  p.add(f, 'loss', taskLossShader(T, input.perTask), [{ buffer: entropy }, { buffer: loss }], T);

  // Backward.
  const b: FusedPhase = 'backward';
  p.add(
    b,
    'final ln′',
    layerNormBackShader(B, D, false),
    [
      { buffer: dfeature },
      { buffer: xhatF },
      { buffer: rstdF },
      W('encoder.norm.weight'),
      { buffer: dcls },
    ],
    B,
  );
  lnParams('∂norm', B, dfeature, xhatF, G('encoder.norm.weight'), G('encoder.norm.bias'));
  p.add(b, 'cls′', scatterClsShader(tokenSpec), [{ buffer: dcls }, { buffer: dx }], R * D);
  for (let i = config.depth - 1; i >= 0; i--) {
    const s = blocks[i]!;
    const n = (t: string): string => `encoder.blocks.${i}.${t}`;
    mm(
      b,
      `b${i} ∂fc2.w`,
      { m: F, k: R, n: D, a: 'T' },
      { buffer: s.g },
      { buffer: dx },
      G(n('mlp.fc2.weight')),
      undefined,
      undefined,
      G(n('mlp.fc2.bias')),
    );
    mm(
      b,
      `b${i} ∂z`,
      { m: R, k: D, n: F, a: 'N', epilogue: 'geluGrad' },
      { buffer: dx },
      WT(n('mlp.fc2.weight')),
      { buffer: dz },
      undefined,
      { buffer: s.z },
    );
    mm(
      b,
      `b${i} ∂fc1.w`,
      { m: D, k: R, n: F, a: 'T' },
      { buffer: s.h2 },
      { buffer: dz },
      G(n('mlp.fc1.weight')),
      undefined,
      undefined,
      G(n('mlp.fc1.bias')),
    );
    mm(b, `b${i} ∂h2`, { m: R, k: F, n: D, a: 'N' }, { buffer: dz }, WT(n('mlp.fc1.weight')), {
      buffer: dh,
    });
    lnParams(`b${i} ∂norm2`, R, dh, s.xhat2, G(n('norm2.weight')), G(n('norm2.bias')));
    p.add(
      b,
      `b${i} ln2′`,
      layerNormBackShader(R, D, true),
      [
        { buffer: dh },
        { buffer: s.xhat2 },
        { buffer: s.rstd2 },
        W(n('norm2.weight')),
        { buffer: dx },
      ],
      R,
    );
    mm(
      b,
      `b${i} ∂proj.w`,
      { m: D, k: R, n: D, a: 'T' },
      { buffer: s.o },
      { buffer: dx },
      G(n('attn.proj.weight')),
      undefined,
      undefined,
      G(n('attn.proj.bias')),
    );
    mm(b, `b${i} ∂o`, { m: R, k: D, n: D, a: 'N' }, { buffer: dx }, WT(n('attn.proj.weight')), {
      buffer: dO,
    });
    p.add(
      b,
      `b${i} attention′ q`,
      attentionBackQueryShader(attn),
      [{ buffer: s.qkv }, { buffer: s.probs }, { buffer: dO }, { buffer: ds }, { buffer: dqkv }],
      attentionInvocations,
    );
    p.add(
      b,
      `b${i} attention′ kv`,
      attentionBackKeyShader(attn),
      [{ buffer: s.qkv }, { buffer: s.probs }, { buffer: dO }, { buffer: ds }, { buffer: dqkv }],
      attentionInvocations,
    );
    mm(
      b,
      `b${i} ∂qkv.w`,
      { m: D, k: R, n: D3, a: 'T' },
      { buffer: s.h },
      { buffer: dqkv },
      G(n('attn.qkv.weight')),
      undefined,
      undefined,
      G(n('attn.qkv.bias')),
    );
    mm(b, `b${i} ∂h`, { m: R, k: D3, n: D, a: 'N' }, { buffer: dqkv }, WT(n('attn.qkv.weight')), {
      buffer: dh,
    });
    lnParams(`b${i} ∂norm1`, R, dh, s.xhat1, G(n('norm1.weight')), G(n('norm1.bias')));
    p.add(
      b,
      `b${i} ln1′`,
      layerNormBackShader(R, D, true),
      [
        { buffer: dh },
        { buffer: s.xhat1 },
        { buffer: s.rstd1 },
        W(n('norm1.weight')),
        { buffer: dx },
      ],
      R,
    );
  }
  // ∂pos = Σ over images; ∂cls is its first row (read from a scratch copy: one dispatch may
  // not read and write the same buffer).
  colSum(b, '∂pos_embed', B, TK * D, { buffer: dx }, { buffer: dpos });
  p.add(b, '∂pos copy', copyShader(TK * D), [{ buffer: dpos }, G('encoder.pos_embed')], TK * D);
  p.add(b, '∂cls_token', copyShader(D), [{ buffer: dpos }, G('encoder.cls_token')], D);
  p.add(
    b,
    '∂patch tokens',
    patchTokenGradShader(tokenSpec),
    [{ buffer: dx }, { buffer: demb }],
    B * NP * D,
  );
  mm(
    b,
    '∂patch_embed.w',
    { m: PP, k: B * NP, n: D, a: 'T' },
    { buffer: patches },
    { buffer: demb },
    G('encoder.patch_embed.weight'),
    undefined,
    undefined,
    G('encoder.patch_embed.bias'),
  );
  const chunks = lambdaChunks(lambdaSpec).start.length;
  const lambdaPart = p.buffer(T * chunks, '∂λ per chunk');
  p.add(
    b,
    '∂λ chunks',
    lambdaGradShader(lambdaSpec),
    [{ buffer: tau }, { buffer: grad }, { buffer: lambdaPart }],
    T * chunks,
  );
  p.add(
    b,
    '∂λ per tensor',
    lambdaGradReduceShader(lambdaSpec),
    [{ buffer: lambdaPart }, { buffer: partial }],
    T * L.names.length,
  );

  // Update.
  p.add(
    'update',
    'adam',
    adamShader(T, L.names.length, columns, input.clamp, betas, input.epsilon ?? 1e-7),
    [
      { buffer: partial },
      { buffer: hyper },
      { buffer: lambda },
      { buffer: moments },
      { buffer: used },
      { buffer: gradOut },
    ],
    lambdaCount,
  );
  return { images, hyper, lambda, used, loss, gradOut, imageFloats };
}
