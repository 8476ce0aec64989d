/**
 * The dense model's tfjs forward and task losses, functional like ../vit.ts (parameters by
 * name, so merged weights, frozen encoders and trainable adapters all pass through the same
 * code). Every op has at most two tensor inputs and rank ≤ 5 (shared/BROWSER.md).
 */
import * as tf from '@tensorflow/tfjs';
import { addMany } from '../../tf';
import { matMul2d } from '../plain-matmul';
import {
  attentionSubBlock,
  embedTokens,
  getter,
  layerNorm,
  linear,
  mlpSubBlock,
  quickGelu,
  type VitParams,
} from '../vit-ops';
import { numPatches } from '../vit-config';
import {
  ADAPTER_PREFIX,
  decoderPrefix,
  outputChannels,
  type DenseConfig,
  type DenseTask,
} from './config';

/** RGB images [N, S, S, C] → patches [N·P, p²·C], patches row-major, (row, col, channel) inside. */
export function patchifyRgb(images: tf.Tensor4D, config: DenseConfig): tf.Tensor2D {
  const n = images.shape[0];
  const p = config.encoder.patchSize;
  const side = config.encoder.imageSize / p;
  const c = config.channels;
  // [N·side, p, side, p·C] → [N·side, side, p, p·C]: rank 4 instead of a rank-6 transpose.
  const grid = tf.reshape(images, [n * side, p, side, p * c]);
  return tf.reshape(tf.transpose(grid, [0, 2, 1, 3]), [n * side * side, p * p * c]);
}

/** The inverse for a dense map: [N·P, p²·C] → [N, S, S, C]. */
export function unpatchify(
  patches: tf.Tensor2D,
  n: number,
  config: DenseConfig,
  channels: number,
): tf.Tensor4D {
  const p = config.encoder.patchSize;
  const side = config.encoder.imageSize / p;
  const grid = tf.reshape(patches, [n * side, side, p, p * channels]);
  return tf.reshape(tf.transpose(grid, [0, 2, 1, 3]), [n, side * p, side * p, channels]);
}

/**
 * Patch tokens after the final LayerNorm, [N, P, dim] (the CLS token is dropped). With
 * `adapters` (tensors `adapters.<i>.A/B`) block i's output becomes f(x) + (x·A)·B, x the
 * block's input; B = 0 makes it the plain encoder.
 */
export function denseEncode(
  params: VitParams,
  images: tf.Tensor4D,
  config: DenseConfig,
  adapters?: VitParams,
): tf.Tensor3D {
  const get = getter(params);
  const getAdapter = adapters ? getter(adapters) : null;
  const enc = config.encoder;
  return tf.tidy(() => {
    const n = images.shape[0];
    const tokens = numPatches(enc) + 1;
    let x = embedTokens(patchifyRgb(images, config), get, n, enc.dim);
    for (let i = 0; i < enc.depth; i++) {
      const b = `encoder.blocks.${i}`;
      const y = mlpSubBlock(attentionSubBlock(x, get, b, enc), get, b, enc.eps);
      if (!getAdapter) {
        x = y;
        continue;
      }
      const flat = tf.reshape(x, [n * tokens, enc.dim]) as tf.Tensor2D;
      const low = matMul2d(flat, getAdapter(`${ADAPTER_PREFIX}${i}.A`) as tf.Tensor2D);
      const delta = matMul2d(low, getAdapter(`${ADAPTER_PREFIX}${i}.B`) as tf.Tensor2D);
      x = tf.add(y, tf.reshape(delta, [n, tokens, enc.dim]));
    }
    const patches = tf.slice(x, [0, 1, 0], [n, tokens - 1, enc.dim]);
    return layerNorm(
      patches,
      get('encoder.norm.weight'),
      get('encoder.norm.bias'),
      enc.eps,
    ) as tf.Tensor3D;
  });
}

/** One task's dense map from patch tokens [N, P, dim]: [N, S, S, channels of the task]. */
export function denseDecode(
  params: VitParams,
  tokens: tf.Tensor3D,
  config: DenseConfig,
  task: DenseTask,
): tf.Tensor4D {
  const get = getter(params);
  const pre = decoderPrefix(task.name);
  return tf.tidy(() => {
    const [n, p, dim] = tokens.shape;
    const flat = tf.reshape(tokens, [n * p, dim]) as tf.Tensor2D;
    const hidden = quickGelu(linear(flat, get(`${pre}fc1.weight`), get(`${pre}fc1.bias`)));
    const out = linear(hidden as tf.Tensor2D, get(`${pre}fc2.weight`), get(`${pre}fc2.bias`));
    return unpatchify(out, n, config, outputChannels(task));
  });
}

/** Ground truth of one task for a batch: labels [N, S, S] int32, depth [N, S, S, 1], normals [N, S, S, 3]. */
export type DenseTarget = tf.Tensor;

/**
 * The task's training loss (a scalar): segmentation softmax cross-entropy over pixels, depth
 * L1, normals 1 − cos between the normalised prediction and the unit ground truth.
 */
export function denseLoss(task: DenseTask, output: tf.Tensor4D, target: DenseTarget): tf.Scalar {
  return tf.tidy(() => {
    if (task.kind === 'segmentation') {
      const classes = outputChannels(task);
      const logits = tf.reshape(output, [-1, classes]);
      const labels = tf.reshape(target, [-1]) as tf.Tensor1D;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits);
    }
    if (task.kind === 'depth') return tf.mean(tf.abs(tf.sub(output, target))) as tf.Scalar;
    const unit = tf.mul(output, tf.rsqrt(tf.add(tf.sum(tf.square(output), -1, true), 1e-12)));
    return tf.sub(1, tf.mean(tf.sum(tf.mul(unit, target), -1))) as tf.Scalar;
  });
}

/**
 * The unweighted mean of the tasks' losses on patch tokens (representation re-alignment's and
 * the joint baseline's objective); `targets` in `tasks` order.
 */
export function meanTaskLoss(
  params: VitParams,
  tokens: tf.Tensor3D,
  config: DenseConfig,
  tasks: readonly DenseTask[],
  targets: readonly DenseTarget[],
): tf.Scalar {
  return tf.tidy(() => {
    const losses = tasks.map((t, k) =>
      denseLoss(t, denseDecode(params, tokens, config, t), targets[k]!),
    );
    return tf.div(addMany(losses), tasks.length) as tf.Scalar;
  });
}
