/**
 * WGSL for LayerNorm over the last axis (one invocation per row, vec4 loads, two passes like
 * tf.moments: mean, then mean of squared deviations), its backward, and the gradients of its
 * γ and β. The forward keeps x̂ and 1/σ for the backward; the backward either writes dx or adds
 * it to the residual stream's gradient. Widths must be multiples of 4.
 */
import { WORKGROUP } from './wgsl-linear';

/** xhat = (x − μ)/√(σ² + eps), y = xhat·γ + β, rstd[r] = 1/√(σ² + eps). */
export function layerNormShader(rows: number, d: number, eps: number): string {
  const d4 = d / 4;
  return `@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> beta: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> xhat: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= ${rows}u) { return; }
  let base = r * ${d4}u;
  var sum = vec4<f32>(0.0);
  for (var i = 0u; i < ${d4}u; i++) { sum += x[base + i]; }
  let mean = (sum.x + sum.y + sum.z + sum.w) / ${d}.0;
  var sq = vec4<f32>(0.0);
  for (var i = 0u; i < ${d4}u; i++) { let c = x[base + i] - mean; sq += c * c; }
  let s = 1.0 / sqrt((sq.x + sq.y + sq.z + sq.w) / ${d}.0 + ${eps.toExponential()});
  rstd[r] = s;
  for (var i = 0u; i < ${d4}u; i++) {
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
  const d4 = d / 4;
  return `@group(0) @binding(0) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> xhat: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> rstd: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> dx: array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x;
  if (r >= ${rows}u) { return; }
  let base = r * ${d4}u;
  var mg = vec4<f32>(0.0);
  var mgx = vec4<f32>(0.0);
  for (var i = 0u; i < ${d4}u; i++) {
    let g = dy[base + i] * gamma[i];
    mg += g;
    mgx += g * xhat[base + i];
  }
  let m1 = (mg.x + mg.y + mg.z + mg.w) / ${d}.0;
  let m2 = (mgx.x + mgx.y + mgx.z + mgx.w) / ${d}.0;
  let s = rstd[r];
  for (var i = 0u; i < ${d4}u; i++) {
    let v = s * (dy[base + i] * gamma[i] - m1 - xhat[base + i] * m2);
    ${accumulate ? 'dx[base + i] = dx[base + i] + v;' : 'dx[base + i] = v;'}
  }
}`;
}

/**
 * ∂γ = Σ_r dy ⊙ x̂ and ∂β = Σ_r dy, pass 1: `chunks` slices of the rows in parallel, each
 * writing its partial sums (γ then β, per chunk) — one long serial loop per column was the
 * slowest part of these kernels on a CPU driver.
 */
export function layerNormParamPartialShader(rows: number, d: number, chunks: number): string {
  const d4 = d / 4;
  const per = Math.ceil(rows / chunks);
  return `@group(0) @binding(0) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> xhat: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> partial: array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${chunks * d4}u) { return; }
  let c = idx % ${d4}u;
  let chunk = idx / ${d4}u;
  let end = min((chunk + 1u) * ${per}u, ${rows}u);
  var sg = vec4<f32>(0.0);
  var sb = vec4<f32>(0.0);
  for (var r = chunk * ${per}u; r < end; r++) {
    let g = dy[r * ${d4}u + c];
    sg += g * xhat[r * ${d4}u + c];
    sb += g;
  }
  partial[(2u * chunk) * ${d4}u + c] = sg;
  partial[(2u * chunk + 1u) * ${d4}u + c] = sb;
}`;
}

/** Pass 2: ∂γ, ∂β = the sums of the chunks' partials. */
export function layerNormParamReduceShader(d: number, chunks: number): string {
  const d4 = d / 4;
  return `@group(0) @binding(0) var<storage, read> partial: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dgamma: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dbeta: array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= ${d4}u) { return; }
  var sg = vec4<f32>(0.0);
  var sb = vec4<f32>(0.0);
  for (var k = 0u; k < ${chunks}u; k++) {
    sg += partial[(2u * k) * ${d4}u + c];
    sb += partial[(2u * k + 1u) * ${d4}u + c];
  }
  dgamma[c] = sg;
  dbeta[c] = sb;
}`;
}
