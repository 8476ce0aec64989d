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
  type VitConfig,
  DEFAULT_VIT_CONFIG,
} from './vit-config';

import {
  attentionSubBlock,
  clsFeature,
  embedTokens,
  getter,
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
    const { dim, eps } = config;

    let x = embedTokens(patchify(images, config), get, n, dim);

    for (let i = 0; i < config.depth; i++) {
      const b = `encoder.blocks.${i}`;
      x = mlpSubBlock(attentionSubBlock(x, get, b, config), get, b, eps);
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
