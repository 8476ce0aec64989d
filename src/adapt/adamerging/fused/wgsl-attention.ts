/**
 * WGSL for multi-head self-attention on the packed qkv rows [N·T, 3·D] (column s·D + h·d + j,
 * the layout of vit.ts's reshape to [N, T, 3, H, d]) — one invocation per (image, head, group
 * of GROUP queries): scores, softmax and the weighted sum of values in registers, each key and
 * value row loaded once per group; P is kept for the backward. The backward is two passes: per
 * query group (dS and dq), then per key group (dk and dv), so no two invocations ever write the
 * same element.
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
const G = ${GROUP}u;
const GROUPS = ${groups(s)}u;
const COUNT = ${s.images * s.heads * groups(s)}u;`;
}

/**
 * Queries (or keys) per invocation: loads of k, v (or q, dO) are shared by the group. 6 (17
 * tokens → 3 groups) measured 2–3× faster than one query per invocation on llvmpipe, ahead of 3,
 * 4 and 9.
 */
export const GROUP = 6;
const groups = (s: AttentionSpec): number => Math.ceil(s.tokens / GROUP);

/** Decodes an invocation into image n, head h and its first token; `ti(g)` clamps to T − 1. */
const DECODE = /* wgsl */ `
  if (idx >= COUNT) { return; }
  let t0 = (idx % GROUPS) * G;
  let h = (idx / GROUPS) % H;
  let n = idx / (GROUPS * H);`;

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

/** Token of group member g, clamped so loads stay in range (its results are not stored). */
const ti = (g: number): string => `min(t0 + ${g}u, T - 1u)`;
const guard = (g: number, body: string): string => `if (t0 + ${g}u < T) { ${body} }`;

/**
 * qkv → o [N·T, D] and p [N, H, T, T]. Head width must be a multiple of 4 (vec4 loads).
 * Everything is unrolled into named values: a private array indexed in a loop becomes stack
 * memory on llvmpipe (a gather per lane), named values stay in registers.
 */
export function attentionShader(s: AttentionSpec): string {
  const hd4 = s.headDim / 4;
  const T = s.tokens;
  return `${header(s)}
@group(0) @binding(0) var<storage, read> qkv: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> o: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> p: array<f32>;
${INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  ${DECODE}
  ${rep(GROUP, (g) => rep(hd4, (c) => `let q${g}_${c} = qkv[qAt(n, ${ti(g)}, h) + ${c}u];`))}
  ${rep(
    T,
    (j) => `${rep(hd4, (c) => `let k${j}_${c} = qkv[kAt(n, ${j}u, h) + ${c}u];`)}
  ${rep(GROUP, (g) => `let s${g}_${j} = (${rep(hd4, (c) => `dot(q${g}_${c}, k${j}_${c})`, ' + ')}) * SCALE;`)}`,
  )}
  ${rep(GROUP, (g) => {
    const mx = Array.from({ length: T }, (_, j) => `s${g}_${j}`).reduce(
      (a, b) => `max(${a}, ${b})`,
    );
    return `let mx${g} = ${mx};
  ${rep(T, (j) => `let e${g}_${j} = exp(s${g}_${j} - mx${g});`)}
  let total${g} = ${rep(T, (j) => `e${g}_${j}`, ' + ')};
  ${rep(T, (j) => `let p${g}_${j} = e${g}_${j} / total${g};`)}
  ${guard(
    g,
    rep(T, (j) => `p[((n * H + h) * T + t0 + ${g}u) * T + ${j}u] = p${g}_${j};`, ' '),
  )}
  ${rep(hd4, (c) => `var o${g}_${c} = vec4<f32>(0.0);`)}`;
  })}
  for (var j = 0u; j < T; j++) {
    ${rep(GROUP, (g) => `let pj${g} = p[((n * H + h) * T + ${ti(g)}) * T + j];`, '\n    ')}
    ${rep(hd4, (c) => `let v${c} = qkv[vAt(n, j, h) + ${c}u];\n    ${rep(GROUP, (g) => `o${g}_${c} += pj${g} * v${c};`, ' ')}`, '\n    ')}
  }
  ${rep(GROUP, (g) =>
    guard(
      g,
      rep(hd4, (c) => `o[oAt(n, t0 + ${g}u, h) + ${c}u] = o${g}_${c};`, ' '),
    ),
  )}
}`;
}

/** Pass 1, per query group: dP = dO·vᵀ, dS = P⊙(dP − Σ P⊙dP), dq = scale·dS·k. */
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
  ${DECODE}
  ${rep(GROUP, (g) => `let row${g} = ((n * H + h) * T + ${ti(g)}) * T;\n  ${rep(hd4, (c) => `let g${g}_${c} = dout[oAt(n, ${ti(g)}, h) + ${c}u];`)}`)}
  ${rep(
    T,
    (j) => `${rep(hd4, (c) => `let v${j}_${c} = qkv[vAt(n, ${j}u, h) + ${c}u];`)}
  ${rep(GROUP, (g) => `let dp${g}_${j} = ${rep(hd4, (c) => `dot(g${g}_${c}, v${j}_${c})`, ' + ')};`)}`,
  )}
  ${rep(
    GROUP,
    (g) => `${rep(T, (j) => `let p${g}_${j} = p[row${g} + ${j}u];`)}
  let rowDot${g} = ${rep(T, (j) => `p${g}_${j} * dp${g}_${j}`, ' + ')};
  ${rep(T, (j) => `let d${g}_${j} = p${g}_${j} * (dp${g}_${j} - rowDot${g});`)}
  ${guard(
    g,
    rep(T, (j) => `ds[row${g} + ${j}u] = d${g}_${j};`, ' '),
  )}
  ${rep(hd4, (c) => `var dq${g}_${c} = vec4<f32>(0.0);`)}`,
  )}
  ${rep(T, (j) => rep(hd4, (c) => `{ let kk = qkv[kAt(n, ${j}u, h) + ${c}u]; ${rep(GROUP, (g) => `dq${g}_${c} += d${g}_${j} * kk;`, ' ')} }`))}
  ${rep(GROUP, (g) =>
    guard(
      g,
      rep(hd4, (c) => `dqkv[qAt(n, t0 + ${g}u, h) + ${c}u] = dq${g}_${c} * SCALE;`, ' '),
    ),
  )}
}`;
}

/** Pass 2, per key group: dk = scale·Σᵢ dSᵢⱼ·qᵢ, dv = Σᵢ Pᵢⱼ·dOᵢ. */
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
  ${DECODE}
  let block = (n * H + h) * T * T;
  ${rep(GROUP, (g) => rep(hd4, (c) => `var dk${g}_${c} = vec4<f32>(0.0);\n  var dv${g}_${c} = vec4<f32>(0.0);`))}
  for (var i = 0u; i < T; i++) {
    ${rep(hd4, (c) => `let q${c} = qkv[qAt(n, i, h) + ${c}u];\n    let o${c} = dout[oAt(n, i, h) + ${c}u];`, '\n    ')}
    ${rep(
      GROUP,
      (g) => `{ let at = block + i * T + ${ti(g)}; let sij = ds[at]; let pij = p[at];
      ${rep(hd4, (c) => `dk${g}_${c} += sij * q${c}; dv${g}_${c} += pij * o${c};`, ' ')} }`,
      '\n    ',
    )}
  }
  ${rep(GROUP, (g) =>
    guard(
      g,
      rep(
        hd4,
        (c) =>
          `dqkv[kAt(n, t0 + ${g}u, h) + ${c}u] = dk${g}_${c} * SCALE; dqkv[vAt(n, t0 + ${g}u, h) + ${c}u] = dv${g}_${c};`,
        ' ',
      ),
    ),
  )}
}`;
}
