/**
 * WGSL for what HF CLIP's vision tower lays out differently from the zoo ViT: NHWC colour
 * pixels into patches flattened as (channel, row, column) — PyTorch's conv weight order — and
 * the separate q/k/v projections packed for the fused attention, which reads one [rows, 3·D]
 * qkv (wgsl-attention.ts): Wᵀ of the three packed side by side for the forward, the three
 * stacked as [3·D, D] for the backward's ∂h, and ∂ of the stack split back per tensor.
 */
import { WORKGROUP } from './wgsl-linear';
import { patchCount, type TokenSpec } from './wgsl-embed';

const MAIN = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;`;

/**
 * patches[n·P + p, c·ps² + i·ps + j] = pixels[n, pr·ps + i, pc·ps + j, c] with p = pr·grid + pc
 * (CLIPVisionEmbeddings' stride-ps conv, flatten(2) order).
 */
export function patchifyNhwcShader(s: TokenSpec, channels: number): string {
  const ps = s.patchSize;
  const per = channels * ps * ps;
  const grid = s.imageSize / ps;
  const total = s.images * patchCount(s) * per;
  return `@group(0) @binding(0) var<storage, read> pixels: array<f32>;
@group(0) @binding(1) var<storage, read_write> patches: array<f32>;
${MAIN}
  if (idx >= ${total}u) { return; }
  let e = idx % ${per}u;
  let p = (idx / ${per}u) % ${patchCount(s)}u;
  let n = idx / ${per * patchCount(s)}u;
  let c = e / ${ps * ps}u;
  let y = (p / ${grid}u) * ${ps}u + (e / ${ps}u) % ${ps}u;
  let x = (p % ${grid}u) * ${ps}u + e % ${ps}u;
  patches[idx] = pixels[((n * ${s.imageSize}u + y) * ${s.imageSize}u + x) * ${channels}u + c];
}`;
}

/** out[i, s·D + o] = W_s[o, i] for s = q, k, v ([D, D] each): the forward's [D, 3·D] B. */
export function packQkvTransposedShader(dim: number): string {
  return `@group(0) @binding(0) var<storage, read> wq: array<f32>;
@group(0) @binding(1) var<storage, read> wk: array<f32>;
@group(0) @binding(2) var<storage, read> wv: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${MAIN}
  if (idx >= ${3 * dim * dim}u) { return; }
  let i = idx / ${3 * dim}u;
  let col = idx % ${3 * dim}u;
  let s = col / ${dim}u;
  let at = (col % ${dim}u) * ${dim}u + i;
  var v = 0.0;
  if (s == 0u) { v = wq[at]; } else if (s == 1u) { v = wk[at]; } else { v = wv[at]; }
  out[idx] = v;
}`;
}

/** out[s·n + e] = x_s[e]: three tensors of n floats end to end (the biases; the [3·D, D] stack). */
export function concat3Shader(n: number): string {
  return `@group(0) @binding(0) var<storage, read> x0: array<f32>;
@group(0) @binding(1) var<storage, read> x1: array<f32>;
@group(0) @binding(2) var<storage, read> x2: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${MAIN}
  if (idx >= ${3 * n}u) { return; }
  let s = idx / ${n}u;
  let e = idx % ${n}u;
  var v = 0.0;
  if (s == 0u) { v = x0[e]; } else if (s == 1u) { v = x1[e]; } else { v = x2[e]; }
  out[idx] = v;
}`;
}

/** y_s[e] = x[s·n + e]: concat3Shader's inverse (∂ of the stacked q/k/v back per tensor). */
export function split3Shader(n: number): string {
  return `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y0: array<f32>;
@group(0) @binding(2) var<storage, read_write> y1: array<f32>;
@group(0) @binding(3) var<storage, read_write> y2: array<f32>;
${MAIN}
  if (idx >= ${n}u) { return; }
  y0[idx] = x[idx];
  y1[idx] = x[${n}u + idx];
  y2[idx] = x[${2 * n}u + idx];
}`;
}
