/**
 * Accuracy of a ViT checkpoint (or a merged encoder plus a task's own head) on a task's labelled
 * test set. Runs on whatever tfjs backend is active (WebGPU in the page, wasm/cpu in Node).
 */
import * as tf from '@tensorflow/tfjs';
import type { GrayImages } from '../data';
import {
  imagesToTensor,
  vitForward,
  type VitParams,
  DEFAULT_VIT_CONFIG,
  type VitConfig,
} from '../models';

export interface AccuracyResult {
  correct: number;
  total: number;
  /** correct / total, in [0, 1]. */
  accuracy: number;
}

export interface EvalOptions {
  config?: VitConfig;
  /** Images per forward pass. */
  batchSize?: number;
  /** Evaluate only the first `limit` images. */
  limit?: number;
}

/** Predicted class of every image (argmax of task `head`'s logits). */
export async function predict(
  params: VitParams,
  head: string,
  images: GrayImages,
  options: EvalOptions = {},
): Promise<Uint8Array> {
  const config = options.config ?? DEFAULT_VIT_CONFIG;
  const batchSize = options.batchSize ?? 250;
  const count = Math.min(images.count, options.limit ?? images.count);
  const pixelsPerImage = images.side * images.side;
  const out = new Uint8Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const pred = tf.tidy(() => {
      const x = imagesToTensor(
        images.pixels.subarray(start * pixelsPerImage, (start + n) * pixelsPerImage),
        n,
        images.side,
      );
      return tf.argMax(vitForward(params, x, head, config), 1);
    });
    out.set(await pred.data(), start);
    pred.dispose();
  }
  return out;
}

export async function accuracy(
  params: VitParams,
  head: string,
  images: GrayImages,
  options: EvalOptions = {},
): Promise<AccuracyResult> {
  const predicted = await predict(params, head, images, options);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === images.labels[i]) correct++;
  const total = predicted.length;
  return { correct, total, accuracy: total === 0 ? 0 : correct / total };
}
