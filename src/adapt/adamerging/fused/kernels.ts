/**
 * The fused step's named kernels, architecture-neutral: a Recorder holds the plan, the packed
 * parameter layout (θ, θᵀ, ∂θ ranges by tensor name) and the shared scratch, and each function
 * here records one kernel (or a short fixed sequence of them) into a phase — matMul with its
 * split-K sums, column sums, LayerNorm forward / backward / parameter gradients, the merge
 * θ = θ₀ + Σ clamp(λ)·τ with the transposes the backward needs, ∂loss/∂λ and Adam.
 * vit-blocks.ts composes them into a ViT's blocks; another architecture composes its own.
 */
import type { DispatchPlan, Range } from '../../../gpu';
import type { PackedLayout } from './layout';
import {
  colSumShader,
  matMulInvocations,
  matMulShader,
  splitSumShader,
  transposeShader,
  type Epilogue,
  type Gelu,
} from './wgsl-linear';
import {
  layerNormBackShader,
  layerNormParamPartialShader,
  layerNormParamReduceShader,
  layerNormShader,
} from './wgsl-norm';
import {
  adamShader,
  lambdaChunks,
  lambdaGradReduceShader,
  lambdaGradShader,
  mergeShader,
  type LambdaSpec,
} from './wgsl-objective';

export type FusedPhase = 'merge' | 'forward' | 'backward' | 'update';
export const FUSED_PHASES: FusedPhase[] = ['merge', 'forward', 'backward', 'update'];

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
export const MAX_SPLIT_K = 16;
/** Row chunks of the LayerNorm γ/β gradient sums (parallel partial sums, then one reduce). */
export const LN_CHUNKS = 32;

/** The column vec4s per invocation for N outputs: the largest divisor of N / 4 up to `most`. */
function blockColumns(n: number, most: number): number {
  for (let c = most; c > 1; c--) if ((n / 4) % c === 0) return c;
  return 1;
}

/** The parameter buffers of the merged model, packed in one layout. */
export interface ParameterBuffers {
  layout: PackedLayout;
  /** θ₀, τ stacked per task, the owner index of each element, θ, θᵀ, ∂loss/∂θ. */
  base: GPUBuffer;
  tau: GPUBuffer;
  owner: GPUBuffer;
  theta: GPUBuffer;
  thetaT: GPUBuffer;
  grad: GPUBuffer;
}

/** What every kernel of one step records into. */
export interface Recorder {
  plan: DispatchPlan;
  params: ParameterBuffers;
  blocking: MatMulBlocking;
  /** Scratch of the split-K matMuls (partial products, partial column sums). */
  splitPartial: GPUBuffer;
  splitPartialSums: GPUBuffer;
  /** Scratch of the LayerNorm parameter gradients (2 · LN_CHUNKS · width floats). */
  lnPartial: GPUBuffer;
}

export function createRecorder(
  plan: DispatchPlan,
  params: ParameterBuffers,
  scratch: { matMulFloats: number; matMulColumns: number; normWidth: number },
  blocking: MatMulBlocking = DEFAULT_BLOCKING,
): Recorder {
  return {
    plan,
    params,
    blocking,
    splitPartial: plan.buffer(MAX_SPLIT_K * scratch.matMulFloats, 'split-K partials'),
    splitPartialSums: plan.buffer(MAX_SPLIT_K * scratch.matMulColumns, 'split-K column sums'),
    lnPartial: plan.buffer(2 * LN_CHUNKS * scratch.normWidth, 'LN ∂γ, ∂β partials'),
  };
}

function tensorRange(r: Recorder, buffer: GPUBuffer, name: string): Range {
  const L = r.params.layout;
  const l = L.names.indexOf(name);
  if (l < 0) throw new Error(`fused AdaMerging: tensor "${name}" is not merged`);
  return { buffer, offset: L.offsets[l]!, length: L.lengths[l]! };
}
/** The merged weight θ of tensor `name`, its transpose θᵀ, its gradient ∂loss/∂θ. */
export const weight = (r: Recorder, name: string): Range => tensorRange(r, r.params.theta, name);
export const weightT = (r: Recorder, name: string): Range => tensorRange(r, r.params.thetaT, name);
export const gradient = (r: Recorder, name: string): Range => tensorRange(r, r.params.grad, name);
/** A whole buffer as a binding. */
export const whole = (buffer: GPUBuffer): Range => ({ buffer });

export interface MatMul {
  m: number;
  k: number;
  n: number;
  /** 'T': A is read transposed (weight gradients, K = rows of the batch). */
  a: 'N' | 'T';
  epilogue?: Epilogue;
  /** The GELU of the 'gelu' / 'geluGrad' epilogues (default QuickGELU). */
  gelu?: Gelu;
}

/**
 * C = A·B (+ bias, epilogue); `aux` is the epilogue's extra input/output (GELU's z), `sums`
 * the column sums of B (a bias gradient). Weight gradients split K when they have few output
 * blocks, then sum the slices.
 */
export function matMul(
  r: Recorder,
  phase: FusedPhase,
  label: string,
  spec: MatMul,
  a: Range,
  b: Range,
  c: Range,
  extra: { bias?: Range; aux?: Range; sums?: Range } = {},
): void {
  const { bias, aux, sums } = extra;
  const p = r.plan;
  const { blocking } = r;
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
    const bindings = [a, b, c, ...[bias, aux, sums].filter((x): x is Range => Boolean(x))];
    p.add(phase, label, matMulShader(s), bindings, matMulInvocations(s));
    return;
  }
  // Split-K: partial products (and column sums) per slice of rows, then their sums.
  const partial = whole(r.splitPartial);
  const partialSums = whole(r.splitPartialSums);
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
}

/** out = Σ over `rows` rows of a [rows, n] (+ b): a bias-like gradient. */
export function columnSum(
  r: Recorder,
  phase: FusedPhase,
  label: string,
  rows: number,
  n: number,
  a: Range,
  out: Range,
  b?: Range,
): void {
  r.plan.add(phase, label, colSumShader(rows, n, Boolean(b)), [a, out, ...(b ? [b] : [])], n / 4);
}

export interface NormShape {
  rows: number;
  width: number;
  eps: number;
}

/** y = LayerNorm(x)·γ + β over rows of `width`, keeping x̂ and 1/σ for the backward. */
export function layerNormForward(
  r: Recorder,
  label: string,
  shape: NormShape,
  x: GPUBuffer,
  norm: { gamma: Range; beta: Range },
  out: { y: GPUBuffer; xhat: GPUBuffer; rstd: GPUBuffer },
): void {
  r.plan.add(
    'forward',
    label,
    layerNormShader(shape.rows, shape.width, shape.eps),
    [whole(x), norm.gamma, norm.beta, whole(out.y), whole(out.xhat), whole(out.rstd)],
    shape.rows,
  );
}

/** ∂x of a LayerNorm from ∂y (added to ∂x when `accumulate`: a residual branch). */
export function layerNormBackward(
  r: Recorder,
  label: string,
  shape: NormShape,
  saved: { dy: GPUBuffer; xhat: GPUBuffer; rstd: GPUBuffer; gamma: Range },
  dx: GPUBuffer,
  accumulate: boolean,
): void {
  r.plan.add(
    'backward',
    label,
    layerNormBackShader(shape.rows, shape.width, accumulate),
    [whole(saved.dy), whole(saved.xhat), whole(saved.rstd), saved.gamma, whole(dx)],
    shape.rows,
  );
}

/** ∂γ, ∂β of a LayerNorm: row chunks in parallel, then their sum. */
export function layerNormParams(
  r: Recorder,
  label: string,
  shape: NormShape,
  dy: GPUBuffer,
  xhat: GPUBuffer,
  grads: { gamma: Range; beta: Range },
): void {
  const chunks = Math.min(LN_CHUNKS, shape.rows);
  const D = shape.width;
  r.plan.add(
    'backward',
    `${label} partial`,
    layerNormParamPartialShader(shape.rows, D, chunks),
    [whole(dy), whole(xhat), whole(r.lnPartial)],
    chunks * (D / 4),
  );
  r.plan.add(
    'backward',
    label,
    layerNormParamReduceShader(D, chunks),
    [whole(r.lnPartial), grads.gamma, grads.beta],
    D / 4,
  );
}

/** The λ layout the merge, ∂λ and Adam kernels share (wgsl-objective.ts's). */
export function lambdaSpecOf(r: Recorder, tasks: number, columns: number): LambdaSpec {
  const L = r.params.layout;
  return { tasks, size: L.size, columns, offsets: L.offsets, lengths: L.lengths };
}

/**
 * θ = θ₀ + Σₖ λₖ·τₖ from the λ in use, then θᵀ of each matrix `transposed` names (for the
 * backward's ∂x = ∂y·Wᵀ).
 */
export function mergeWeights(
  r: Recorder,
  spec: LambdaSpec,
  used: GPUBuffer,
  transposed: { name: string; rows: number; cols: number }[],
): void {
  const { base, tau, owner, theta } = r.params;
  r.plan.add(
    'merge',
    'merge',
    mergeShader(spec),
    [whole(base), whole(tau), whole(owner), whole(used), whole(theta)],
    spec.size,
  );
  for (const t of transposed) {
    r.plan.add(
      'merge',
      `${t.name}ᵀ`,
      transposeShader(t.rows, t.cols),
      [weight(r, t.name), weightT(r, t.name)],
      t.rows * t.cols,
    );
  }
}

/** ∂loss/∂λ per task and tensor from ∂loss/∂θ and τ: chunked dot products, then their sums. */
export function lambdaGradient(r: Recorder, spec: LambdaSpec, perTensor: GPUBuffer): void {
  const chunks = lambdaChunks(spec).start.length;
  const T = spec.tasks;
  const lambdaPart = r.plan.buffer(T * chunks, '∂λ per chunk');
  r.plan.add(
    'backward',
    '∂λ chunks',
    lambdaGradShader(spec),
    [whole(r.params.tau), whole(r.params.grad), whole(lambdaPart)],
    T * chunks,
  );
  r.plan.add(
    'backward',
    '∂λ per tensor',
    lambdaGradReduceShader(spec),
    [whole(lambdaPart), whole(perTensor)],
    T * r.params.layout.names.length,
  );
}

/** The λ variable, Adam's state and the step's outputs (the update phase's buffers). */
export interface LambdaState {
  perTensor: GPUBuffer;
  hyper: GPUBuffer;
  lambda: GPUBuffer;
  moments: GPUBuffer;
  used: GPUBuffer;
  gradOut: GPUBuffer;
}

/** One Adam step on λ (clamped into "used" when clamping); ∂λ with the clamp mask to gradOut. */
export function adamUpdate(
  r: Recorder,
  spec: LambdaSpec,
  state: LambdaState,
  options: { clamp: boolean; betas: [number, number]; epsilon: number },
): void {
  r.plan.add(
    'update',
    'adam',
    adamShader(
      spec.tasks,
      r.params.layout.names.length,
      spec.columns,
      options.clamp,
      options.betas,
      options.epsilon,
    ),
    [
      whole(state.perTensor),
      whole(state.hyper),
      whole(state.lambda),
      whole(state.moments),
      whole(state.used),
      whole(state.gradOut),
    ],
    spec.tasks * spec.columns,
  );
}
