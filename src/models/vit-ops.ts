/**
 * The ViT's building blocks, shared by the training/AdaMerging definition (vit.ts) and the
 * transpose-free inference encoder (src/eval/fast-encode.ts), so both compute the same function
 * with the same ops. Every op has at most two tensor inputs (WebGPU, shared/BROWSER.md).
 */
import * as tf from '@tensorflow/tfjs';
import { matMul2d } from './plain-matmul';
import type { VitConfig } from './vit-config';

/** Parameters by name: a plain object or a Map of tensors (tf.Variables are tensors too). */
export type VitParams = Record<string, tf.Tensor> | Map<string, tf.Tensor>;

/** A lookup that names the missing parameter instead of failing later inside an op. */
export function getter(params: VitParams): (name: string) => tf.Tensor {
  return (name) => {
    const t = params instanceof Map ? params.get(name) : params[name];
    if (!t) throw new Error(`ViT parameter "${name}" is missing`);
    return t;
  };
}

/** x: [..., dim] → normalised over the last axis, scaled and shifted. */
export function layerNorm(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
  eps: number,
): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), weight), bias);
}

/** x: [rows, in] @ W [in, out] + b (plain-matmul.ts: wasm's fast layout, gradient included). */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return tf.add(matMul2d(x, weight as tf.Tensor2D), bias);
}

/** CLIP's "QuickGELU", x·σ(1.702x): two cheap ops instead of erf/tanh. */
export function quickGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/** Images [N, H, W, 1] or [N, H·W] with pixels in [0, 1] → patches [N·P, patch²], row-major. */
export function patchify(images: tf.Tensor, config: VitConfig): tf.Tensor2D {
  const n = images.shape[0] ?? 0;
  const side = config.imageSize / config.patchSize;
  const p = config.patchSize;
  const grid = tf.reshape(images, [n, side, p, side, p]);
  return tf.reshape(tf.transpose(grid, [0, 1, 3, 2, 4]), [n * side * side, p * p]);
}

/** Patches [N·P, patch²] → tokens [N, 1 + P, dim]: CLS token first, position embedding added. */
export function embedTokens(
  patches: tf.Tensor2D,
  get: (name: string) => tf.Tensor,
  n: number,
  dim: number,
): tf.Tensor {
  const embedded = linear(
    patches,
    get('encoder.patch_embed.weight'),
    get('encoder.patch_embed.bias'),
  );
  const cls = tf.tile(get('encoder.cls_token'), [n, 1, 1]);
  const x = tf.concat([cls, tf.reshape(embedded, [n, -1, dim])], 1);
  return tf.add(x, get('encoder.pos_embed'));
}

/**
 * Block `b`'s pre-LN multi-head self-attention sub-block with its residual: x [N, T, dim] →
 * x + Attn(LN(x)). Shared by the classification ViT and the dense (SIMO) encoder.
 */
export function attentionSubBlock(
  x: tf.Tensor,
  get: (name: string) => tf.Tensor,
  b: string,
  config: Pick<VitConfig, 'heads' | 'eps'>,
): tf.Tensor {
  const [n = 0, tokens = 0, dim = 0] = x.shape;
  const { heads, eps } = config;
  const headDim = dim / heads;
  const h = layerNorm(x, get(`${b}.norm1.weight`), get(`${b}.norm1.bias`), eps);
  const qkv = linear(
    tf.reshape(h, [n * tokens, dim]) as tf.Tensor2D,
    get(`${b}.attn.qkv.weight`),
    get(`${b}.attn.qkv.bias`),
  );
  // qkv's columns are (3, H, d): q, k and v are its thirds, each [N·T, H·d] → [N·H, T, d].
  // Split then 4-D transposes, not one 5-D transpose: tfjs-wasm's rank-5 transpose is ≈ 200×
  // slower per element than its rank-4 one (SIMO's step: 3 of them took 24 of its 134 ms).
  const perHead = (t: tf.Tensor) =>
    tf.reshape(tf.transpose(tf.reshape(t, [n, tokens, heads, headDim]), [0, 2, 1, 3]), [
      n * heads,
      tokens,
      headDim,
    ]) as tf.Tensor3D;
  const [qs, ks, vs] = tf.split(qkv, 3, 1).map(perHead) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const scores = tf.mul(tf.matMul(qs, ks, false, true), 1 / Math.sqrt(headDim));
  const attended = tf.matMul(tf.softmax(scores), vs); // [N·H, T, d]
  const merged = tf.reshape(
    tf.transpose(tf.reshape(attended, [n, heads, tokens, headDim]), [0, 2, 1, 3]),
    [n * tokens, dim],
  ) as tf.Tensor2D;
  const projected = linear(merged, get(`${b}.attn.proj.weight`), get(`${b}.attn.proj.bias`));
  return tf.add(x, tf.reshape(projected, [n, tokens, dim]));
}

/** Block `b`'s pre-LN MLP sub-block with its residual: x [N, T, dim] → x + MLP(LN(x)). */
export function mlpSubBlock(
  x: tf.Tensor,
  get: (name: string) => tf.Tensor,
  b: string,
  eps: number,
): tf.Tensor {
  const [n = 0, tokens = 0, dim = 0] = x.shape;
  const h = layerNorm(x, get(`${b}.norm2.weight`), get(`${b}.norm2.bias`), eps);
  const hidden = quickGelu(
    linear(
      tf.reshape(h, [n * tokens, dim]) as tf.Tensor2D,
      get(`${b}.mlp.fc1.weight`),
      get(`${b}.mlp.fc1.bias`),
    ),
  ) as tf.Tensor2D;
  const out = linear(hidden, get(`${b}.mlp.fc2.weight`), get(`${b}.mlp.fc2.bias`));
  return tf.add(x, tf.reshape(out, [n, tokens, dim]));
}

/** The CLS token of x [N, T, dim] after the encoder's final LayerNorm: [N, dim]. */
export function clsFeature(
  x: tf.Tensor,
  get: (name: string) => tf.Tensor,
  eps: number,
): tf.Tensor2D {
  const [n = 0, , dim = 0] = x.shape;
  const cls = tf.reshape(tf.slice(x, [0, 0, 0], [n, 1, dim]), [n, dim]);
  return layerNorm(cls, get('encoder.norm.weight'), get('encoder.norm.bias'), eps) as tf.Tensor2D;
}
