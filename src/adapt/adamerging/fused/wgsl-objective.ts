/**
 * WGSL for the AdaMerging objective and λ: each task's head and the entropy of its softmax with
 * the gradient to the CLS feature; per-task mean entropies; the merge θ = θ₀ + Σₖ λₖ·τₖ;
 * ∂loss/∂λ = ⟨∂loss/∂θ, τ⟩ per (task, tensor); Adam (tfjs's formula) and the clamp.
 */
import { WORKGROUP } from './wgsl-linear';

export interface HeadSpec {
  tasks: number;
  perTask: number;
  dim: number;
  /** Per task: classes, offset of its [dim, classes] weight and of its bias in the heads buffer. */
  classes: number[];
  weightOffsets: number[];
  biasOffsets: number[];
  /**
   * Cosine heads (VitConfig.head 'cosine'): the feature is L2-normalised before the head, whose
   * columns the caller uploads already normalised and multiplied by the logit scale (biases 0).
   */
  cosine?: boolean;
}

const u32s = (xs: number[]): string =>
  `array<u32, ${xs.length}>(${xs.map((x) => `${x}u`).join(', ')})`;

/** r = 1/‖f‖ (cosine heads). */
const NORM = `  var ss = 0.0;
  for (var d = 0u; d < D; d++) { let x = feature[n * D + d]; ss += x * x; }
  r = inverseSqrt(ss + 1e-12);`;
/** u·du, for the gradient through the normalisation (cosine heads). */
const UDU = `  var udu = 0.0;
  for (var d = 0u; d < D; d++) {
    var du = 0.0;
    for (var c = 0u; c < classes; c++) { du += z[c] * heads[w + d * classes + c]; }
    udu += feature[n * D + d] * r * du;
  }`;

/**
 * Per image row n (task k = n / perTask): logits z = f·W_k + b_k, log p = z − logsumexp(z),
 * H = −Σ p·log p, ∂(H / perTask)/∂z = −p·(log p + H) / perTask, df = ∂z·W_kᵀ. Cosine heads use
 * u = f·r, r = (Σf² + 1e-12)^(-1/2), as tfjs's cosineLogits does: z = u·Ŵ_k (Ŵ: unit columns ×
 * scale, uploaded so) and df = r·(du − u·(u·du)) with du = ∂z·Ŵ_kᵀ.
 */
export function headEntropyShader(s: HeadSpec): string {
  const maxC = Math.max(...s.classes);
  const cosine = s.cosine === true;
  return `const CLASSES = ${u32s(s.classes)};
const W_OFF = ${u32s(s.weightOffsets)};
const B_OFF = ${u32s(s.biasOffsets)};
const D = ${s.dim}u;
@group(0) @binding(0) var<storage, read> feature: array<f32>;
@group(0) @binding(1) var<storage, read> heads: array<f32>;
@group(0) @binding(2) var<storage, read_write> entropy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dfeature: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  if (n >= ${s.tasks * s.perTask}u) { return; }
  let k = n / ${s.perTask}u;
  let classes = CLASSES[k];
  let w = W_OFF[k];
  var r = 1.0;
${cosine ? NORM : ''}
  var z: array<f32, ${maxC}>;
  var mx = -3.4e38;
  for (var c = 0u; c < classes; c++) {
    var acc = ${cosine ? '0.0' : 'heads[B_OFF[k] + c]'};
    for (var d = 0u; d < D; d++) { acc += feature[n * D + d] * r * heads[w + d * classes + c]; }
    z[c] = acc;
    mx = max(mx, acc);
  }
  var total = 0.0;
  for (var c = 0u; c < classes; c++) { total += exp(z[c] - mx); }
  let lse = mx + log(total);
  var h = 0.0;
  for (var c = 0u; c < classes; c++) { z[c] = z[c] - lse; h -= exp(z[c]) * z[c]; }
  entropy[n] = h;
  for (var c = 0u; c < classes; c++) { z[c] = -exp(z[c]) * (z[c] + h) / ${s.perTask}.0; }
${cosine ? UDU : ''}
  for (var d = 0u; d < D; d++) {
    var acc = 0.0;
    for (var c = 0u; c < classes; c++) { acc += z[c] * heads[w + d * classes + c]; }
    dfeature[n * D + d] = ${cosine ? 'r * (acc - feature[n * D + d] * r * udu)' : 'acc'};
  }
}`;
}

/** loss[k] = mean of task k's row entropies. */
export function taskLossShader(tasks: number, perTask: number): string {
  return `@group(0) @binding(0) var<storage, read> entropy: array<f32>;
@group(0) @binding(1) var<storage, read_write> loss: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let k = gid.x;
  if (k >= ${tasks}u) { return; }
  var acc = 0.0;
  for (var i = 0u; i < ${perTask}u; i++) { acc += entropy[k * ${perTask}u + i]; }
  loss[k] = acc / ${perTask}.0;
}`;
}

export interface LambdaSpec {
  tasks: number;
  /** Padded length of the packed parameters. */
  size: number;
  /** λ columns: 1 task-wise, one per merged tensor layer-wise. */
  columns: number;
  /** Per merged tensor: offset and length in the packed parameters. */
  offsets: number[];
  lengths: number[];
}

/** θ[e] = θ₀[e] + Σₖ λ[k, column(e)]·τ[k, e]; `owner[e]` is e's tensor (padding: 0xffffffff). */
export function mergeShader(s: LambdaSpec): string {
  return `@group(0) @binding(0) var<storage, read> base: array<f32>;
@group(0) @binding(1) var<storage, read> tau: array<f32>;
@group(0) @binding(2) var<storage, read> owner: array<u32>;
@group(0) @binding(3) var<storage, read> lambda: array<f32>;
@group(0) @binding(4) var<storage, read_write> theta: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let e = gid.x;
  if (e >= ${s.size}u) { return; }
  let l = owner[e];
  if (l == 0xffffffffu) { theta[e] = 0.0; return; }
  let col = ${s.columns === 1 ? '0u' : 'l'};
  var acc = 0.0;
  for (var k = 0u; k < ${s.tasks}u; k++) { acc += lambda[k * ${s.columns}u + col] * tau[k * ${s.size}u + e]; }
  theta[e] = base[e] + acc;
}`;
}

/** vec4s per chunk of ⟨τ, ∂θ⟩: tensors are summed in chunks so the long ones do not serialise. */
const CHUNK4 = 128;

/** The chunks of every tensor: [start, end) in vec4s, and each tensor's first chunk and count. */
export function lambdaChunks(s: LambdaSpec): {
  start: number[];
  end: number[];
  first: number[];
  count: number[];
} {
  const out = {
    start: [] as number[],
    end: [] as number[],
    first: [] as number[],
    count: [] as number[],
  };
  s.offsets.forEach((offset, l) => {
    // Offsets are 64-float aligned and the padding of τ and ∂θ is zero: whole vec4s are safe.
    const begin = offset / 4;
    const stop = begin + Math.ceil(s.lengths[l]! / 4);
    out.first.push(out.start.length);
    for (let at = begin; at < stop; at += CHUNK4) {
      out.start.push(at);
      out.end.push(Math.min(at + CHUNK4, stop));
    }
    out.count.push(out.start.length - out.first[l]!);
  });
  return out;
}

/** Pass 1: part[k, c] = Σ_{e ∈ chunk c} τ[k, e]·∂loss/∂θ[e], one invocation per (task, chunk). */
export function lambdaGradShader(s: LambdaSpec): string {
  const c = lambdaChunks(s);
  const n = c.start.length;
  return `const START = ${u32s(c.start)};
const END = ${u32s(c.end)};
@group(0) @binding(0) var<storage, read> tau: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> dtheta: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> part: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${s.tasks * n}u) { return; }
  let k = idx / ${n}u;
  let c = idx % ${n}u;
  var acc = vec4<f32>(0.0);
  for (var e = START[c]; e < END[c]; e++) { acc += tau[k * ${s.size / 4}u + e] * dtheta[e]; }
  part[idx] = acc.x + acc.y + acc.z + acc.w;
}`;
}

/** Pass 2: g[k, l] = Σ over tensor l's chunks of part[k, ·]. */
export function lambdaGradReduceShader(s: LambdaSpec): string {
  const c = lambdaChunks(s);
  const L = s.offsets.length;
  return `const FIRST = ${u32s(c.first)};
const COUNT = ${u32s(c.count)};
@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${s.tasks * L}u) { return; }
  let k = idx / ${L}u;
  let l = idx % ${L}u;
  var acc = 0.0;
  for (var c = 0u; c < COUNT[l]; c++) { acc += part[k * ${c.start.length}u + FIRST[l] + c]; }
  g[idx] = acc;
}`;
}

/**
 * Per λ entry: its gradient (task-wise: the sum over tensors), zero where the clamp is active
 * (tf.clipByValue's gradient: pass inside [0, 1], bounds included), then — unless `gradOnly` —
 * one Adam step (m, v, bias correction by 1 − β^t from hyper[], ε as tfjs), and the λ the next
 * forward uses (clamped when `clamp`). hyper = [lr, 1 − β₁ᵗ, 1 − β₂ᵗ].
 */
export function adamShader(
  tasks: number,
  tensors: number,
  columns: number,
  clamp: boolean,
  betas: [number, number],
  epsilon: number,
): string {
  return `@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read> hyper: array<f32>;
@group(0) @binding(2) var<storage, read_write> lambda: array<f32>;
@group(0) @binding(3) var<storage, read_write> moments: array<f32>;
@group(0) @binding(4) var<storage, read_write> used: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = gid.x;
  if (idx >= ${tasks * columns}u) { return; }
  let k = idx / ${columns}u;
  var g = 0.0;
  ${
    columns === 1
      ? `for (var l = 0u; l < ${tensors}u; l++) { g += partial[k * ${tensors}u + l]; }`
      : 'g = partial[idx];'
  }
  let x = lambda[idx];
  ${clamp ? 'if (x < 0.0 || x > 1.0) { g = 0.0; }' : ''}
  grad[idx] = g;
  if (hyper[3] != 0.0) { return; }
  let m = ${betas[0]} * moments[2u * idx] + ${1 - betas[0]} * g;
  let v = ${betas[1]} * moments[2u * idx + 1u] + ${1 - betas[1]} * g * g;
  moments[2u * idx] = m;
  moments[2u * idx + 1u] = v;
  let next = x - hyper[0] * (m / hyper[1]) / (sqrt(v / hyper[2]) + ${epsilon.toExponential()});
  lambda[idx] = next;
  used[idx] = ${clamp ? 'clamp(next, 0.0, 1.0)' : 'next'};
}`;
}
