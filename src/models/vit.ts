/**
 * A small vision transformer as a *functional* definition: parameters are plain tensors passed
 * in by name, never tf.layers. The same function trains the zoo, evaluates any checkpoint, and
 * lets AdaMerging pass merged weights θ₀ + Σ λ·τ built inside a `tf.grad` closure.
 *
 * Every op is WebGPU-friendly (at most two inputs, rank ≤ 5) — shared/BROWSER.md.
 */
import * as tf from '@tensorflow/tfjs';
import {
  headBiasName,
  headWeightName,
  isCosineHead,
  logitScaleOf,
  numPatches,
  type VitConfig,
  DEFAULT_VIT_CONFIG,
} from './vit-config';

import {
  clsFeature,
  embedTokens,
  getter,
  layerNorm,
  linear,
  mlpSubBlock,
  patchify,
  type VitParams,
} from './vit-ops';

export type { VitParams } from './vit-ops';

/**
 * The CLS feature after the final LayerNorm: [N, dim]. `params` needs every `encoder.*` tensor of
 * `encoderShapes(config)`; extra tensors (heads) are ignored.
 */
export function vitEncode(
  params: VitParams,
  images: tf.Tensor4D | tf.Tensor2D,
  config: VitConfig = DEFAULT_VIT_CONFIG,
): tf.Tensor2D {
  const get = getter(params);
  return tf.tidy(() => {
    const n = images.shape[0];
    const { dim, heads, eps } = config;
    const tokens = numPatches(config) + 1;
    const headDim = dim / heads;

    let x = embedTokens(patchify(images, config), get, n, dim);

    for (let i = 0; i < config.depth; i++) {
      const b = `encoder.blocks.${i}`;
      // Attention sub-block (pre-LN).
      const h = layerNorm(x, get(`${b}.norm1.weight`), get(`${b}.norm1.bias`), eps);
      const qkv = linear(
        tf.reshape(h, [n * tokens, dim]) as tf.Tensor2D,
        get(`${b}.attn.qkv.weight`),
        get(`${b}.attn.qkv.bias`),
      );
      // [N, T, 3, H, d] → [3, N, H, T, d]
      const split = tf.transpose(tf.reshape(qkv, [n, tokens, 3, heads, headDim]), [2, 0, 3, 1, 4]);
      const [q, k, v] = tf.unstack(split, 0) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const qs = tf.reshape(q, [n * heads, tokens, headDim]) as tf.Tensor3D;
      const ks = tf.reshape(k, [n * heads, tokens, headDim]) as tf.Tensor3D;
      const vs = tf.reshape(v, [n * heads, tokens, headDim]) as tf.Tensor3D;
      const scores = tf.mul(tf.matMul(qs, ks, false, true), 1 / Math.sqrt(headDim));
      const attended = tf.matMul(tf.softmax(scores), vs); // [N·H, T, d]
      const merged = tf.reshape(
        tf.transpose(tf.reshape(attended, [n, heads, tokens, headDim]), [0, 2, 1, 3]),
        [n * tokens, dim],
      ) as tf.Tensor2D;
      const projected = linear(merged, get(`${b}.attn.proj.weight`), get(`${b}.attn.proj.bias`));
      x = tf.add(x, tf.reshape(projected, [n, tokens, dim]));

      // MLP sub-block (pre-LN).
      x = mlpSubBlock(x, get, b, eps);
    }

    return clsFeature(x, get, eps);
  });
}

/**
 * Logits of one task's head on a CLS feature: [N, dim] → [N, classes]. Linear (f·W + b) unless
 * `config.head` is 'cosine': then s · (f/‖f‖)·(W_c/‖W_c‖) per class column c, no bias.
 */
export function vitHead(
  params: VitParams,
  feature: tf.Tensor2D,
  task: string,
  config: Pick<VitConfig, 'head' | 'logitScale'> = DEFAULT_VIT_CONFIG,
): tf.Tensor2D {
  const get = getter(params);
  return tf.tidy(() => {
    const weight = get(headWeightName(task));
    if (!isCosineHead(config)) return linear(feature, weight, get(headBiasName(task)));
    return cosineLogits(feature, weight as tf.Tensor2D, logitScaleOf(config));
  });
}

/** s · cos(f_i, W_c): rows of `feature` [N, dim] against columns of `weight` [dim, classes]. */
export function cosineLogits(
  feature: tf.Tensor2D,
  weight: tf.Tensor2D,
  scale: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    // x / sqrt(Σx² + ε²): ε keeps the gradient finite at a zero vector and is far below any
    // real feature's or class column's norm.
    const unitRows = tf.mul(feature, tf.rsqrt(tf.add(tf.sum(tf.square(feature), 1, true), 1e-12)));
    const unitCols = tf.mul(weight, tf.rsqrt(tf.add(tf.sum(tf.square(weight), 0, true), 1e-12)));
    return tf.mul(
      tf.matMul(unitRows as tf.Tensor2D, unitCols as tf.Tensor2D),
      scale,
    ) as tf.Tensor2D;
  });
}

/** Logits [N, classes] of task `taskHead`'s head (`heads.<task>.weight/bias`) on the encoder. */
export function vitForward(
  params: VitParams,
  images: tf.Tensor4D | tf.Tensor2D,
  taskHead: string,
  config: VitConfig = DEFAULT_VIT_CONFIG,
): tf.Tensor2D {
  return tf.tidy(() => vitHead(params, vitEncode(params, images, config), taskHead, config));
}
