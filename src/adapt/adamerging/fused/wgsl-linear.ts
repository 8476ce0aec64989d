/**
 * WGSL for the dense parts of the fused AdaMerging step: C = op(A)·B (+ bias) with an optional
 * epilogue, and column sums. Every size is baked into the shader (one pipeline per shape), and
 * each invocation computes `rows` rows × 4 columns with vec4 loads of B and no workgroup memory:
 * on lavapipe/llvmpipe (a CPU driver) barriers and shared-memory tiles are what made tfjs's
 * matMul 10–100× slower than wasm; plain register blocking runs at several GFLOPS.
 */

export type Epilogue =
  /** C = result */
  | 'none'
  /** aux = result (pre-activation z), C = QuickGELU(z) = z·σ(1.702z) */
  | 'gelu'
  /** C += result (residual add, or accumulating a gradient) */
  | 'accumulate'
  /** C = result · QuickGELU′(aux): the backward of the activation, aux holding z */
  | 'geluGrad';

export interface MatMulSpec {
  /** Output rows, inner size, output columns (N must be a multiple of 4). */
  m: number;
  k: number;
  n: number;
  /** 'N': A is [M, K] row-major; 'T': A is stored [K, M] (C = Aᵀ·B, a weight gradient). */
  a: 'N' | 'T';
  bias: boolean;
  epilogue: Epilogue;
  /** Output rows per invocation (register blocking). */
  rows: number;
  /**
   * 'T' only: also write Σ_k B[k, :] (the bias gradient that goes with a weight gradient) to an
   * extra binding — free, since every B row is loaded anyway.
   */
  colSums?: boolean;
  /**
   * 'T' only: split the K rows into this many slices computed in parallel, each writing its
   * partial C (and column sums) at slice·M·N — summed by {@link splitSumShader}. Weight
   * gradients have K = 2,176 and only a handful of output blocks: unsplit, one or two
   * workgroups carry the whole dispatch.
   */
  splitK?: number;
  /** Column vec4s per invocation (default {@link columnGroups}); must divide N / 4. */
  columnGroups?: number;
  /** The GELU of the 'gelu' / 'geluGrad' epilogues (default QuickGELU). */
  gelu?: Gelu;
}

export const WORKGROUP = 64;

/**
 * The GELU the 'gelu' / 'geluGrad' epilogues apply: QuickGELU (the zoo ViT, openai's CLIP), the
 * exact erf GELU or its tanh form (transformers' "gelu", "gelu_new" / "gelu_pytorch_tanh").
 */
export type Gelu = 'quick' | 'erf' | 'tanh';

/** QuickGELU′(z) = σ(1.702z)·(1 + 1.702z·(1 − σ(1.702z))). */
const QUICK_GELU = /* wgsl */ `
fn sig(z: vec4<f32>) -> vec4<f32> { return 1.0 / (1.0 + exp(-1.702 * z)); }
fn gelu(z: vec4<f32>) -> vec4<f32> { return z * sig(z); }
fn geluGrad(z: vec4<f32>) -> vec4<f32> { let s = sig(z); return s * (1.0 + 1.702 * z * (1.0 - s)); }
`;

/**
 * ½z(1 + erf(z/√2)) with tfjs's erf (Abramowitz–Stegun 7.1.26, |error| ≤ 1.5e-7); the
 * derivative ½(1 + erf(z/√2)) + z·φ(z), φ the normal density, as tfjs's erf gradient gives it.
 */
const ERF_GELU = /* wgsl */ `
fn erf4(x: vec4<f32>) -> vec4<f32> {
  let v = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * v);
  let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
  return sign(x) * (1.0 - poly * exp(-v * v));
}
fn gelu(z: vec4<f32>) -> vec4<f32> { return 0.5 * z * (1.0 + erf4(z * 0.70710678118)); }
fn geluGrad(z: vec4<f32>) -> vec4<f32> {
  return 0.5 * (1.0 + erf4(z * 0.70710678118)) + z * 0.39894228040 * exp(-0.5 * z * z);
}
`;

/** ½z(1 + tanh(u)), u = √(2/π)(z + 0.044715z³); u clamped where tanh is ±1 in f32 anyway. */
const TANH_GELU = /* wgsl */ `
fn inner(z: vec4<f32>) -> vec4<f32> { return clamp(0.79788456080 * (z + 0.044715 * z * z * z), vec4<f32>(-15.0), vec4<f32>(15.0)); }
fn gelu(z: vec4<f32>) -> vec4<f32> { return 0.5 * z * (1.0 + tanh(inner(z))); }
fn geluGrad(z: vec4<f32>) -> vec4<f32> {
  let t = tanh(inner(z));
  return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * 0.79788456080 * (1.0 + 0.134145 * z * z);
}
`;

const GELU_FNS: Record<Gelu, string> = { quick: QUICK_GELU, erf: ERF_GELU, tanh: TANH_GELU };

/**
 * Column vec4s per invocation when a spec does not say (`columnGroups`): 2 when N allows. The
 * engine always says — record.ts's DEFAULT_BLOCKING (16 × 16 blocks, measured faster in
 * Chromium and Node than the 8 × 8 this default gives with 8 rows).
 */
export function columnGroups(n: number): number {
  return n % 8 === 0 ? 2 : 1;
}

/**
 * A as vec4s when its layout allows: along k for 'N' (K % 4 = 0), along m for 'T' (M % 4 = 0
 * and a row block of 4 or 8). llvmpipe pays per load instruction (a per-lane gather), not per
 * byte, so a vec4 load of A is ~4× cheaper per float (≈25% per matMul measured).
 */
function vectorA(s: MatMulSpec): boolean {
  return s.a === 'N' ? s.k % 4 === 0 : s.m % 4 === 0 && s.rows % 4 === 0;
}

export function matMulShader(s: MatMulSpec): string {
  if (s.n % 4 !== 0) throw new Error(`fused matMul: N = ${s.n} is not a multiple of 4`);
  const n4 = s.n / 4;
  const cg = s.columnGroups ?? columnGroups(s.n);
  if (n4 % cg !== 0)
    throw new Error(`fused matMul: ${cg} column vec4s do not divide N / 4 = ${n4}`);
  const vecA = vectorA(s);
  const bindings = [
    `@group(0) @binding(0) var<storage, read> a: array<${vecA ? 'vec4<f32>' : 'f32'}>;`,
    '@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;',
    '@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;',
  ];
  let next = 3;
  if (s.bias)
    bindings.push(`@group(0) @binding(${next++}) var<storage, read> bias: array<vec4<f32>>;`);
  if (s.epilogue === 'gelu')
    bindings.push(`@group(0) @binding(${next++}) var<storage, read_write> aux: array<vec4<f32>>;`);
  if (s.epilogue === 'geluGrad')
    bindings.push(`@group(0) @binding(${next++}) var<storage, read> aux: array<vec4<f32>>;`);
  const sums = s.colSums === true;
  const split = s.splitK ?? 1;
  if (split > 1 && (s.a !== 'T' || s.bias || s.epilogue !== 'none'))
    throw new Error('fused matMul: split-K is for plain Aᵀ·B');
  const per = Math.ceil(s.k / split);
  const blocks = Math.ceil(s.m / s.rows) * (n4 / cg);
  const slice = split > 1 ? `sk * ${s.m * n4}u + ` : '';
  if (sums && s.a !== 'T') throw new Error('fused matMul: column sums need the Aᵀ layout');
  if (sums)
    bindings.push(`@group(0) @binding(${next++}) var<storage, read_write> sums: array<vec4<f32>>;`);
  const rows = Array.from({ length: s.rows }, (_, r) => r);
  const cols = Array.from({ length: cg }, (_, c) => c);
  const sumB = sums ? cols.map((c) => `cs${c} += b${c};`).join(' ') : '';
  const lane = ['x', 'y', 'z', 'w'];
  const row = (r: number): string => `min(row0 + ${r}u, ${s.m - 1}u)`;
  let loop: string;
  if (!vecA) {
    // Loads of A for rows past M are clamped to row M−1 (their results are never stored).
    const aLoad = (r: number): string =>
      s.a === 'N' ? `a[${row(r)} * ${s.k}u + k]` : `a[k * ${s.m}u + ${row(r)}]`;
    loop = `for (var k = kBegin; k < kEnd; k++) {
    ${cols.map((c) => `let b${c} = b[k * ${n4}u + col0 + ${c}u];`).join('\n    ')}
    ${rows.map((r) => `{ let av = ${aLoad(r)}; ${cols.map((c) => `acc${r}_${c} += av * b${c};`).join(' ')} }`).join('\n    ')}
    ${sumB}
  }`;
  } else if (s.a === 'N') {
    // Four k at a time: one vec4 of A per row, four vec4s of B per column group.
    const k4 = s.k / 4;
    loop = `for (var k4 = 0u; k4 < ${k4}u; k4++) {
    ${[0, 1, 2, 3].flatMap((t) => cols.map((c) => `let b${t}_${c} = b[(k4 * 4u + ${t}u) * ${n4}u + col0 + ${c}u];`)).join('\n    ')}
    ${rows
      .map(
        (r) =>
          `{ let av = a[${row(r)} * ${k4}u + k4]; ${cols
            .map(
              (c) =>
                `acc${r}_${c} += ${[0, 1, 2, 3].map((t) => `av.${lane[t]} * b${t}_${c}`).join(' + ')};`,
            )
            .join(' ')} }`,
      )
      .join('\n    ')}
  }`;
  } else {
    // Aᵀ: the block's rows are consecutive in A's row k — rows/4 vec4 loads per k.
    const m4 = s.m / 4;
    loop = `for (var k = kBegin; k < kEnd; k++) {
    ${cols.map((c) => `let b${c} = b[k * ${n4}u + col0 + ${c}u];`).join('\n    ')}
    ${Array.from({ length: s.rows / 4 }, (_, q) => `let a${q} = a[k * ${m4}u + min(row0 / 4u + ${q}u, ${m4 - 1}u)];`).join('\n    ')}
    ${rows.map((r) => cols.map((c) => `acc${r}_${c} += a${Math.floor(r / 4)}.${lane[r % 4]} * b${c};`).join(' ')).join('\n    ')}
    ${sumB}
  }`;
  }
  const store = (r: number, c: number): string => {
    const at = `${slice}(row0 + ${r}u) * ${n4}u + col0 + ${c}u`;
    const v = s.bias ? `acc${r}_${c} + bias[col0 + ${c}u]` : `acc${r}_${c}`;
    const stmt =
      s.epilogue === 'none'
        ? `c[${at}] = ${v};`
        : s.epilogue === 'accumulate'
          ? `c[${at}] = c[${at}] + ${v};`
          : s.epilogue === 'gelu'
            ? `let z = ${v}; aux[${at}] = z; c[${at}] = gelu(z);`
            : `c[${at}] = ${v} * geluGrad(aux[${at}]);`;
    return `{ ${stmt} }`;
  };
  return `${bindings.join('\n')}
${GELU_FNS[s.gelu ?? 'quick']}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let sk = gid.x / ${blocks}u;
  let idx = gid.x % ${blocks}u;
  if (sk >= ${split}u) { return; }
  let col0 = (idx % ${n4 / cg}u) * ${cg}u;
  let row0 = (idx / ${n4 / cg}u) * ${s.rows}u;
  if (row0 >= ${s.m}u) { return; }
  let kBegin = sk * ${per}u;
  let kEnd = min(kBegin + ${per}u, ${s.k}u);
  ${rows.flatMap((r) => cols.map((c) => `var acc${r}_${c} = vec4<f32>(0.0);`)).join('\n  ')}
  ${sums ? cols.map((c) => `var cs${c} = vec4<f32>(0.0);`).join(' ') : ''}
  ${loop}
  ${sums ? `if (row0 == 0u) { ${cols.map((c) => `sums[sk * ${n4}u + col0 + ${c}u] = cs${c};`).join(' ')} }` : ''}
  ${rows.map((r) => `if (row0 + ${r}u < ${s.m}u) { ${cols.map((c) => store(r, c)).join(' ')} }`).join('\n  ')}
}`;
}

export function matMulInvocations(s: MatMulSpec): number {
  return (
    Math.ceil(s.m / s.rows) * (s.n / 4 / (s.columnGroups ?? columnGroups(s.n))) * (s.splitK ?? 1)
  );
}

/** out[i] = Σ_s part[s·count + i] over `splits` slices (count in vec4s): split-K's second pass. */
export function splitSumShader(count4: number, splits: number): string {
  return `@group(0) @binding(0) var<storage, read> part: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= ${count4}u) { return; }
  var acc = vec4<f32>(0.0);
  for (var s = 0u; s < ${splits}u; s++) { acc += part[s * ${count4}u + i]; }
  out[i] = acc;
}`;
}

/**
 * out[n] = Σ_r A[r, n] (· B[r, n] when `product`): bias and LayerNorm-parameter gradients.
 * One invocation per 4 columns; N must be a multiple of 4.
 */
export function colSumShader(rows: number, n: number, product: boolean): string {
  const n4 = n / 4;
  return `@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
${product ? '@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>;' : ''}
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x;
  if (col >= ${n4}u) { return; }
  var acc = vec4<f32>(0.0);
  for (var r = 0u; r < ${rows}u; r++) {
    acc += a[r * ${n4}u + col]${product ? ` * b[r * ${n4}u + col]` : ''};
  }
  out[col] = acc;
}`;
}

/** out[c, r] = in[r, c] for an [R, C] matrix (weights for the backward's dX = dY·Wᵀ). */
export function transposeShader(r: number, c: number): string {
  return `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= ${r * c}u) { return; }
  let row = i / ${c}u;
  let col = i % ${c}u;
  dst[col * ${r}u + row] = src[i];
}`;
}
