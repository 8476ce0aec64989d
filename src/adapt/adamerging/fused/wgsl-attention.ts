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
const HD = ${s.headDim}u;
const D = ${dim}u;
const D3 = ${3 * dim}u;
const SCALE = ${(1 / Math.sqrt(s.headDim)).toPrecision(9)};
const COUNT = ${s.images * s.heads * s.tokens}u;`;
}

/** qkv → o [N·T, D] and p [N, H, T, T]. */
export function attentionShader(s: AttentionSpec): string {
  return `${header(s)}
@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read_write> o: array<f32>;
@group(0) @binding(2) var<storage, read_write> p: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= COUNT) { return; }
  let i = idx % T;
  let h = (idx / T) % H;
  let n = idx / (T * H);
  let q = (n * T + i) * D3 + h * HD;
  var s: array<f32, ${s.tokens}>;
  var mx = -3.4e38;
  for (var j = 0u; j < T; j++) {
    let kk = (n * T + j) * D3 + D + h * HD;
    var acc = 0.0;
    for (var c = 0u; c < HD; c++) { acc += qkv[q + c] * qkv[kk + c]; }
    s[j] = acc * SCALE;
    mx = max(mx, s[j]);
  }
  var total = 0.0;
  for (var j = 0u; j < T; j++) { s[j] = exp(s[j] - mx); total += s[j]; }
  let prow = idx * T;
  for (var j = 0u; j < T; j++) { s[j] = s[j] / total; p[prow + j] = s[j]; }
  let out = (n * T + i) * D + h * HD;
  for (var c = 0u; c < HD; c++) {
    var acc = 0.0;
    for (var j = 0u; j < T; j++) { acc += s[j] * qkv[(n * T + j) * D3 + 2u * D + h * HD + c]; }
    o[out + c] = acc;
  }
}`;
}

/** Pass 1, per query row: dP = dO·vᵀ, dS = P⊙(dP − Σ P⊙dP), dq = scale·dS·k. */
export function attentionBackQueryShader(s: AttentionSpec): string {
  return `${header(s)}
@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read_write> ds: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= COUNT) { return; }
  let i = idx % T;
  let h = (idx / T) % H;
  let n = idx / (T * H);
  let go = (n * T + i) * D + h * HD;
  let prow = idx * T;
  var dp: array<f32, ${s.tokens}>;
  var dot = 0.0;
  for (var j = 0u; j < T; j++) {
    let v = (n * T + j) * D3 + 2u * D + h * HD;
    var acc = 0.0;
    for (var c = 0u; c < HD; c++) { acc += dout[go + c] * qkv[v + c]; }
    dp[j] = acc;
    dot += acc * p[prow + j];
  }
  for (var j = 0u; j < T; j++) { dp[j] = p[prow + j] * (dp[j] - dot); ds[prow + j] = dp[j]; }
  let dq = (n * T + i) * D3 + h * HD;
  for (var c = 0u; c < HD; c++) {
    var acc = 0.0;
    for (var j = 0u; j < T; j++) { acc += dp[j] * qkv[(n * T + j) * D3 + D + h * HD + c]; }
    dqkv[dq + c] = acc * SCALE;
  }
}`;
}

/** Pass 2, per key row j: dk = scale·Σᵢ dSᵢⱼ·qᵢ, dv = Σᵢ Pᵢⱼ·dOᵢ. */
export function attentionBackKeyShader(s: AttentionSpec): string {
  return `${header(s)}
@group(0) @binding(0) var<storage, read> qkv: array<f32>;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> ds: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= COUNT) { return; }
  let j = idx % T;
  let h = (idx / T) % H;
  let n = idx / (T * H);
  let block = (n * H + h) * T * T;
  let dk = (n * T + j) * D3 + D + h * HD;
  let dv = (n * T + j) * D3 + 2u * D + h * HD;
  for (var c = 0u; c < HD; c++) {
    var ak = 0.0;
    var av = 0.0;
    for (var i = 0u; i < T; i++) {
      ak += ds[block + i * T + j] * qkv[(n * T + i) * D3 + h * HD + c];
      av += p[block + i * T + j] * dout[(n * T + i) * D + h * HD + c];
    }
    dqkv[dk + c] = ak * SCALE;
    dqkv[dv + c] = av;
  }
}`;
}
