/**
 * WGSL for multi-head self-attention on the packed qkv rows [N·T, 3·D] (column s·D + h·d + j,
 * the layout of vit.ts's reshape to [N, T, 3, H, d]) — one invocation per (image, head, query):
 * scores, softmax and the weighted sum of values in registers; P is kept for the backward.
 * The backward is two passes: per query row (dS and dq), then per key row (dk and dv), so no
 * two invocations ever write the same element.
 */
import { WORKGROUP } from './wgsl-linear';

export interface AttentionSpec {
  images: number;
  tokens: number;
  heads: number;
  headDim: number;
}

function header(s: AttentionSpec): string {
  const dim = s.heads * s.headDim;
  return `const T = ${s.tokens}u;
const H = ${s.heads}u;
const HD4 = ${s.headDim / 4}u;
const D4 = ${dim / 4}u;
const D34 = ${(3 * dim) / 4}u;
const SCALE = ${(1 / Math.sqrt(s.headDim)).toPrecision(9)};
const COUNT = ${s.images * s.heads * s.tokens}u;`;
}

/** Index helpers (in vec4s) of q, k, v of token t of image n, head h, and of a D-wide row. */
const INDEX = /* wgsl */ `
fn qAt(n: u32, t: u32, h: u32) -> u32 { return (n * T + t) * D34 + h * HD4; }
fn kAt(n: u32, t: u32, h: u32) -> u32 { return (n * T + t) * D34 + D4 + h * HD4; }
fn vAt(n: u32, t: u32, h: u32) -> u32 { return (n * T + t) * D34 + 2u * D4 + h * HD4; }
fn oAt(n: u32, t: u32, h: u32) -> u32 { return (n * T + t) * D4 + h * HD4; }
`;

/** n copies of f(i) joined by `sep`: loops over tokens and head-width vec4s are unrolled. */
const rep = (n: number, f: (i: number) => string, sep = '\n  '): string =>
  Array.from({ length: n }, (_, i) => f(i)).join(sep);

/**
 * qkv → o [N·T, D] and p [N, H, T, T]. Head width must be a multiple of 4 (vec4 loads).
 * Everything is unrolled into named values: a private array indexed in a loop becomes stack
 * memory on llvmpipe (a gather per lane), named values stay in registers.
 */
export function attentionShader(s: AttentionSpec): string {
  const hd4 = s.headDim / 4;
  const T = s.tokens;
  const dotRow = (j: number, at: string): string =>
    rep(hd4, (c) => `dot(q${c}, qkv[${at}(n, ${j}u, h) + ${c}u])`, ' + ');
  return `${header(s)}
@group(0) @binding(0) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> o: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> p: array<f32>;
${INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= COUNT) { return; }
  let i = idx % T;
  let h = (idx / T) % H;
  let n = idx / (T * H);
  ${rep(hd4, (c) => `let q${c} = qkv[qAt(n, i, h) + ${c}u];`)}
  ${rep(T, (j) => `let s${j} = (${dotRow(j, 'kAt')}) * SCALE;`)}
  let mx = max(${rep(T, (j) => `s${j}`, ', ')
    .split(', ')
    .reduce((a, b) => `max(${a}, ${b})`)}, -3.4e38);
  ${rep(T, (j) => `let e${j} = exp(s${j} - mx);`)}
  let total = ${rep(T, (j) => `e${j}`, ' + ')};
  let prow = idx * T;
  ${rep(T, (j) => `let p${j} = e${j} / total; p[prow + ${j}u] = p${j};`)}
  ${rep(hd4, (c) => `o[oAt(n, i, h) + ${c}u] = ${rep(T, (j) => `p${j} * qkv[vAt(n, ${j}u, h) + ${c}u]`, ' + ')};`)}
}`;
}

/** Pass 1, per query row: dP = dO·vᵀ, dS = P⊙(dP − Σ P⊙dP), dq = scale·dS·k. */
export function attentionBackQueryShader(s: AttentionSpec): string {
  const hd4 = s.headDim / 4;
  const T = s.tokens;
  return `${header(s)}
@group(0) @binding(0) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> ds: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<vec4<f32>>;
${INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= COUNT) { return; }
  let i = idx % T;
  let h = (idx / T) % H;
  let n = idx / (T * H);
  let prow = idx * T;
  ${rep(hd4, (c) => `let g${c} = dout[oAt(n, i, h) + ${c}u];`)}
  ${rep(T, (j) => `let p${j} = p[prow + ${j}u];`)}
  ${rep(T, (j) => `let dp${j} = ${rep(hd4, (c) => `dot(g${c}, qkv[vAt(n, ${j}u, h) + ${c}u])`, ' + ')};`)}
  let rowDot = ${rep(T, (j) => `p${j} * dp${j}`, ' + ')};
  ${rep(T, (j) => `let d${j} = p${j} * (dp${j} - rowDot); ds[prow + ${j}u] = d${j};`)}
  ${rep(hd4, (c) => `dqkv[qAt(n, i, h) + ${c}u] = (${rep(T, (j) => `d${j} * qkv[kAt(n, ${j}u, h) + ${c}u]`, ' + ')}) * SCALE;`)}
}`;
}

/** Pass 2, per key row j: dk = scale·Σᵢ dSᵢⱼ·qᵢ, dv = Σᵢ Pᵢⱼ·dOᵢ. */
export function attentionBackKeyShader(s: AttentionSpec): string {
  const hd4 = s.headDim / 4;
  return `${header(s)}
@group(0) @binding(0) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> ds: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<vec4<f32>>;
${INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= COUNT) { return; }
  let j = idx % T;
  let h = (idx / T) % H;
  let n = idx / (T * H);
  let block = (n * H + h) * T * T;
  ${rep(
    hd4,
    (c) => `var dk${c} = vec4<f32>(0.0);
  var dv${c} = vec4<f32>(0.0);`,
  )}
  for (var i = 0u; i < T; i++) {
    let sij = ds[block + i * T + j];
    let pij = p[block + i * T + j];
    let qq = qAt(n, i, h);
    let oo = oAt(n, i, h);
    ${rep(
      hd4,
      (c) => `dk${c} += sij * qkv[qq + ${c}u];
    dv${c} += pij * dout[oo + ${c}u];`,
      '\n    ',
    )}
  }
  ${rep(
    hd4,
    (c) => `dqkv[kAt(n, j, h) + ${c}u] = dk${c} * SCALE;
  dqkv[vAt(n, j, h) + ${c}u] = dv${c};`,
  )}
}`;
}
