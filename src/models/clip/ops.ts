/**
 * Building blocks of both CLIP towers, as functions of named parameter tensors. Only
 * differentiable tfjs ops with at most two tensor inputs and rank ≤ 5, so the forward runs on
 * WebGPU and inside `tf.grad` (shared/BROWSER.md).
 */
import * as tf from '@tensorflow/tfjs';
import { matMulTransposed } from '../plain-matmul';
import { layerNorm, quickGelu } from '../vit-ops';
import type { ClipActivation } from './config';

export { layerNorm };

/** Parameters by name in transformers' keys: a plain object or a Map (tf.Variables too). */
export type ClipParams = Record<string, tf.Tensor> | Map<string, tf.Tensor>;

export type ParamGetter = (name: string) => tf.Tensor;

/** A lookup that names the missing parameter instead of failing later inside an op. */
export function clipGetter(params: ClipParams): ParamGetter {
  return (name) => {
    const t = params instanceof Map ? params.get(name) : params[name];
    if (!t) throw new Error(`CLIP parameter "${name}" is missing`);
    return t;
  };
}

/** x [rows, in] · Wᵀ (+ b): W stays in PyTorch's [out, in] layout (plain-matmul.ts: wasm). */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  const y = matMulTransposed(x, weight as tf.Tensor2D);
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** transformers' ACT2FN entries by name. */
export function activate(x: tf.Tensor, act: ClipActivation): tf.Tensor {
  switch (act) {
    case 'quick_gelu':
      return quickGelu(x);
    case 'gelu': // exact: x·Φ(x) = ½x(1 + erf(x/√2))
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT_HALF)), 1));
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
      const cube = tf.mul(tf.square(x), x);
      const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), SQRT_2_OVER_PI);
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
    }
    case 'relu':
      return tf.relu(x);
  }
}

/** One tower's layer geometry and numerics. */
export interface LayerSpec {
  hiddenSize: number;
  numHeads: number;
  hiddenAct: ClipActivation;
  layerNormEps: number;
}

/**
 * Multi-head self-attention of h [N, T, D]: q, k, v, out projections at `${layer}.self_attn`,
 * scores scaled by head_dim^-0.5; `mask` [N or 1, 1, T, T] is added to the scores (0 or a large
 * negative number).
 */
function selfAttention(
  h: tf.Tensor,
  get: ParamGetter,
  layer: string,
  spec: LayerSpec,
  mask?: tf.Tensor,
): tf.Tensor {
  const [n = 0, tokens = 0, dim = 0] = h.shape;
  const heads = spec.numHeads;
  const headDim = dim / heads;
  const rows = tf.reshape(h, [n * tokens, dim]) as tf.Tensor2D;
  const a = `${layer}.self_attn`;
  // [N·T, D] → [N·H, T, d]
  const split = (name: string): tf.Tensor3D => {
    const y = linear(rows, get(`${a}.${name}.weight`), get(`${a}.${name}.bias`));
    const byHead = tf.transpose(tf.reshape(y, [n, tokens, heads, headDim]), [0, 2, 1, 3]);
    return tf.reshape(byHead, [n * heads, tokens, headDim]) as tf.Tensor3D;
  };
  const q = tf.mul(split('q_proj'), 1 / Math.sqrt(headDim)) as tf.Tensor3D;
  let scores: tf.Tensor = tf.matMul(q, split('k_proj'), false, true); // [N·H, T, T]
  if (mask) {
    scores = tf.reshape(tf.add(tf.reshape(scores, [n, heads, tokens, tokens]), mask), [
      n * heads,
      tokens,
      tokens,
    ]);
  }
  const attended = tf.matMul(tf.softmax(scores) as tf.Tensor3D, split('v_proj')); // [N·H, T, d]
  const merged = tf.reshape(
    tf.transpose(tf.reshape(attended, [n, heads, tokens, headDim]), [0, 2, 1, 3]),
    [n * tokens, dim],
  ) as tf.Tensor2D;
  const out = linear(merged, get(`${a}.out_proj.weight`), get(`${a}.out_proj.bias`));
  return tf.reshape(out, [n, tokens, dim]);
}

/** fc2(act(fc1(h))) of h [N, T, D]. */
function mlp(h: tf.Tensor, get: ParamGetter, layer: string, spec: LayerSpec): tf.Tensor {
  const [n = 0, tokens = 0, dim = 0] = h.shape;
  const rows = tf.reshape(h, [n * tokens, dim]) as tf.Tensor2D;
  const hidden = activate(
    linear(rows, get(`${layer}.mlp.fc1.weight`), get(`${layer}.mlp.fc1.bias`)),
    spec.hiddenAct,
  ) as tf.Tensor2D;
  const out = linear(hidden, get(`${layer}.mlp.fc2.weight`), get(`${layer}.mlp.fc2.bias`));
  return tf.reshape(out, [n, tokens, dim]);
}

/** CLIPEncoderLayer (pre-LN): x + attn(LN1(x)), then x + MLP(LN2(x)). */
export function encoderLayer(
  x: tf.Tensor,
  get: ParamGetter,
  layer: string,
  spec: LayerSpec,
  mask?: tf.Tensor,
): tf.Tensor {
  const eps = spec.layerNormEps;
  const norm = (t: tf.Tensor, name: string): tf.Tensor =>
    layerNorm(t, get(`${layer}.${name}.weight`), get(`${layer}.${name}.bias`), eps);
  const afterAttention = tf.add(x, selfAttention(norm(x, 'layer_norm1'), get, layer, spec, mask));
  return tf.add(afterAttention, mlp(norm(afterAttention, 'layer_norm2'), get, layer, spec));
}

/** The encoder's layers `${prefix}.encoder.layers.{0..count-1}` in order. */
export function encoder(
  x: tf.Tensor,
  get: ParamGetter,
  prefix: string,
  count: number,
  spec: LayerSpec,
  mask?: tf.Tensor,
): tf.Tensor {
  let h = x;
  for (let i = 0; i < count; i++)
    h = encoderLayer(h, get, `${prefix}.encoder.layers.${i}`, spec, mask);
  return h;
}
