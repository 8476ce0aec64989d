/**
 * WGSL for the ViT's token plumbing: images → patches (vit.ts's patchify order), tokens = [CLS,
 * patch embeddings] + positions, the CLS rows for the final LayerNorm, and the backward's
 * inverse moves (patch-token gradients, CLS gradient scattered into the residual stream).
 */
import { WORKGROUP } from './wgsl-linear';

export interface TokenSpec {
  images: number;
  imageSize: number;
  patchSize: number;
  dim: number;
}

const grid = (s: TokenSpec): number => s.imageSize / s.patchSize;
export const patchCount = (s: TokenSpec): number => grid(s) ** 2;

/** patches[(n·P + p), i·ps + j] = image n, pixel (pr·ps + i, pc·ps + j) with p = pr·grid + pc. */
export function patchifyShader(s: TokenSpec): string {
  const ps = s.patchSize;
  const per = ps * ps;
  const total = s.images * patchCount(s) * per;
  return `@group(0) @binding(0) var<storage, read> images: array<f32>;
@group(0) @binding(1) var<storage, read_write> patches: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${total}u) { return; }
  let e = idx % ${per}u;
  let p = (idx / ${per}u) % ${patchCount(s)}u;
  let n = idx / ${per * patchCount(s)}u;
  let y = (p / ${grid(s)}u) * ${ps}u + e / ${ps}u;
  let x = (p % ${grid(s)}u) * ${ps}u + e % ${ps}u;
  patches[idx] = images[n * ${s.imageSize * s.imageSize}u + y * ${s.imageSize}u + x];
}`;
}

/** x[n, t] = (t = 0 ? cls : emb[n·P + t − 1]) + pos[t]. */
export function assembleTokensShader(s: TokenSpec): string {
  const tokens = patchCount(s) + 1;
  const total = s.images * tokens * s.dim;
  return `@group(0) @binding(0) var<storage, read> emb: array<f32>;
@group(0) @binding(1) var<storage, read> cls: array<f32>;
@group(0) @binding(2) var<storage, read> pos: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${total}u) { return; }
  let d = idx % ${s.dim}u;
  let t = (idx / ${s.dim}u) % ${tokens}u;
  let n = idx / ${tokens * s.dim}u;
  var v = 0.0;
  if (t == 0u) { v = cls[d]; } else { v = emb[(n * ${patchCount(s)}u + t - 1u) * ${s.dim}u + d]; }
  x[idx] = v + pos[t * ${s.dim}u + d];
}`;
}

/** demb[n·P + p] = dx[n, p + 1]: the patch tokens' gradient, for the patch-embedding weights. */
export function patchTokenGradShader(s: TokenSpec): string {
  const tokens = patchCount(s) + 1;
  const total = s.images * patchCount(s) * s.dim;
  return `@group(0) @binding(0) var<storage, read> dx: array<f32>;
@group(0) @binding(1) var<storage, read_write> demb: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${total}u) { return; }
  let d = idx % ${s.dim}u;
  let p = (idx / ${s.dim}u) % ${patchCount(s)}u;
  let n = idx / ${patchCount(s) * s.dim}u;
  demb[idx] = dx[(n * ${tokens}u + p + 1u) * ${s.dim}u + d];
}`;
}

/** Copies `count` floats (the CLS gradient is the first row of the position gradient). */
export function copyShader(count: number): string {
  return `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < ${count}u) { dst[gid.x] = src[gid.x]; }
}`;
}

/** cls[n] = x[n, 0]: the rows the final LayerNorm and the heads see. */
export function gatherClsShader(s: TokenSpec): string {
  const tokens = patchCount(s) + 1;
  return `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> cls: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${s.images * s.dim}u) { return; }
  let n = idx / ${s.dim}u;
  cls[idx] = x[n * ${tokens * s.dim}u + idx % ${s.dim}u];
}`;
}

/** dx = 0 everywhere but the CLS rows, which get dcls: the start of the backward. */
export function scatterClsShader(s: TokenSpec): string {
  const tokens = patchCount(s) + 1;
  const total = s.images * tokens * s.dim;
  return `@group(0) @binding(0) var<storage, read> dcls: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${total}u) { return; }
  let d = idx % ${s.dim}u;
  let t = (idx / ${s.dim}u) % ${tokens}u;
  let n = idx / ${tokens * s.dim}u;
  var v = 0.0;
  if (t == 0u) { v = dcls[n * ${s.dim}u + d]; }
  dx[idx] = v;
}`;
}
