/**
 * WGSL for LayerNorm over the last axis (one invocation per row, two passes like tf.moments:
 * mean, then mean of squared deviations) and its backward. The forward keeps x̂ and 1/σ for the
 * backward; the backward either writes dx or adds it to the residual stream's gradient.
 */
import { WORKGROUP } from './wgsl-linear';

/** xhat = (x − μ)/√(σ² + eps), y = xhat·γ + β, rstd[r] = 1/√(σ² + eps). */
export function layerNormShader(rows: number, d: number, eps: number): string {
  return `@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> xhat: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= ${rows}u) { return; }
  let base = r * ${d}u;
  var sum = 0.0;
  for (var i = 0u; i < ${d}u; i++) { sum += x[base + i]; }
  let mean = sum / ${d}.0;
  var sq = 0.0;
  for (var i = 0u; i < ${d}u; i++) { let c = x[base + i] - mean; sq += c * c; }
  let s = 1.0 / sqrt(sq / ${d}.0 + ${eps.toExponential()});
  rstd[r] = s;
  for (var i = 0u; i < ${d}u; i++) {
    let h = (x[base + i] - mean) * s;
    xhat[base + i] = h;
    y[base + i] = h * gamma[i] + beta[i];
  }
}`;
}

/**
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; `accumulate` adds it to dx (the
 * residual stream's gradient) instead of overwriting.
 */
export function layerNormBackShader(rows: number, d: number, accumulate: boolean): string {
  return `@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> xhat: array<f32>;
@group(0) @binding(2) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= ${rows}u) { return; }
  let base = r * ${d}u;
  var mg = 0.0;
  var mgx = 0.0;
  for (var i = 0u; i < ${d}u; i++) {
    let g = dy[base + i] * gamma[i];
    mg += g;
    mgx += g * xhat[base + i];
  }
  mg = mg / ${d}.0;
  mgx = mgx / ${d}.0;
  let s = rstd[r];
  for (var i = 0u; i < ${d}u; i++) {
    let v = s * (dy[base + i] * gamma[i] - mg - xhat[base + i] * mgx);
    ${accumulate ? 'dx[base + i] = dx[base + i] + v;' : 'dx[base + i] = v;'}
  }
}`;
}
