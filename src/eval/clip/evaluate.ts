/**
 * Per-task zero-shot accuracy of a CLIP vision tower (a fine-tune, the base, or any merge) on
 * the user's test sets, in batches, with progress (images done / total, rate, ETA) and
 * cancellation between batches. The vision parameters are given as tensors so the same loop
 * scores a checkpoint read from disk, a merge held in memory, or a slider's θ₀ + Σλτ.
 */
import * as tf from '@tensorflow/tfjs';
import { preprocessBatches, type ImageBatch, type ImageErrorReport } from '../../data';
import type { ClipPreprocessConfig } from '../../data';
import type { ClipConfig } from '../../models';
import { progressReporter, type ProgressCallback } from '../../core';
import { unitImageEmbeds, zeroShotLogits, type TensorParams } from './classify';
import { ClipEvalError } from './errors';
import type { PixelCache } from './pixel-cache';
import { checkTaskImages, firstImages, type TaskImages } from './task-images';
import type { ZeroShotHead } from './zero-shot';

export interface ScoredTask {
  images: TaskImages;
  head: ZeroShotHead;
}

export interface TaskAccuracy {
  accuracy: number;
  /** Images scored (skipped broken ones are not counted). */
  n: number;
  /** Mean Shannon entropy (nats) of the head's softmax: what AdaMerging minimises. */
  entropy: number;
  skipped: number;
}

export interface ClipEvalOptions {
  batchSize?: number;
  /** Only the first N images of each task. */
  limit?: number;
  /** Aborting stops between batches (rejects with signal.reason). */
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  onSkip?: (report: ImageErrorReport) => void;
  /** Preprocessed images kept from earlier evaluations of the same tasks (pixel-cache.ts). */
  pixels?: PixelCache;
}

/**
 * A task's first `count` images preprocessed in batches: from the cache when an earlier
 * evaluation kept them (its skipped images reported again), else decoded, and kept if the
 * cache has room once the run completes.
 */
export async function* taskBatches(
  images: TaskImages,
  count: number,
  preprocess: ClipPreprocessConfig,
  batchSize: number,
  options: ClipEvalOptions,
  onError: (report: ImageErrorReport) => void,
): AsyncGenerator<ImageBatch> {
  const cache = options.pixels;
  const cached = cache?.get(images, preprocess, count, batchSize);
  if (cached) {
    for (const report of cached.skipped) onError(report);
    yield* cached.batches;
    return;
  }
  // Batches are held for the cache only, and only while they fit its room: without a cache (the
  // CLI) or past its budget, a test set streams through as before.
  let kept: { batches: ImageBatch[]; skipped: ImageErrorReport[]; bytes: number } | null = cache
    ? { batches: [], skipped: [], bytes: 0 }
    : null;
  const batches = preprocessBatches(firstImages(images.images(), count), preprocess, {
    batchSize,
    onError: (report) => {
      kept?.skipped.push(report);
      onError(report);
    },
    signal: options.signal,
  });
  for await (const batch of batches) {
    if (kept) {
      kept.batches.push(batch);
      kept.bytes += batch.pixels.byteLength;
      if (kept.bytes > cache!.room) kept = null;
    }
    yield batch;
  }
  if (kept) cache!.put(images, preprocess, count, batchSize, kept);
}

/** Predicted class of each image of a preprocessed batch, and the sum of its softmax entropies. */
async function predict(
  params: TensorParams,
  config: ClipConfig,
  head: tf.Tensor2D,
  logitScale: number,
  pixels: Float32Array,
  count: number,
): Promise<{ predicted: Int32Array; entropySum: number }> {
  const side = config.vision.imageSize;
  const [predicted, entropy] = tf.tidy(() => {
    const x = tf.tensor4d(pixels, [count, side, side, 3]);
    const logits = zeroShotLogits(unitImageEmbeds(params, x, config), head, logitScale);
    const logP = tf.logSoftmax(logits);
    return [tf.argMax(logits, 1), tf.neg(tf.sum(tf.mul(tf.exp(logP), logP)))];
  });
  const out = {
    predicted: (await predicted.data()) as Int32Array,
    entropySum: (await entropy.data())[0] ?? 0,
  };
  predicted.dispose();
  entropy.dispose();
  return out;
}

export function checkSize(t: TaskImages, height: number, width: number, side: number): void {
  if (height !== side || width !== side) {
    throw new ClipEvalError(
      `${t.source}: preprocessing gives ${height}×${width} images, the model takes ` +
        `${side}×${side} (check crop_size in preprocessor_config.json)`,
    );
  }
}

/** A label the head has a row for, else one line naming the image. */
export function checkLabel(t: TaskImages, label: number, image: string, classes: number): void {
  if (label < 0 || label >= classes)
    throw new ClipEvalError(
      `${t.source}: ${image} has label ${label}; the head has ${classes} classes`,
    );
}

export async function evaluateClip(
  params: TensorParams,
  config: ClipConfig,
  logitScale: number,
  preprocess: ClipPreprocessConfig,
  tasks: readonly ScoredTask[],
  options: ClipEvalOptions = {},
): Promise<Map<string, TaskAccuracy>> {
  for (const t of tasks) checkTaskImages(t.images, true);
  const counts = tasks.map((t) => Math.min(t.images.count, options.limit ?? Infinity));
  const total = counts.reduce((a, b) => a + b, 0);
  const progress = progressReporter('evaluate', total, options.onProgress);
  const results = new Map<string, TaskAccuracy>();
  for (const [k, { images, head }] of tasks.entries()) {
    const classes = head.classNames.length;
    const headTensor = tf.tensor2d(head.weight, [classes, head.dim]);
    let correct = 0;
    let n = 0;
    let entropySum = 0;
    try {
      const batches = taskBatches(
        images,
        counts[k]!,
        preprocess,
        options.batchSize ?? 32,
        options,
        (report) => {
          options.onSkip?.(report);
          progress.advance(1);
        },
      );
      for await (const batch of batches) {
        checkSize(images, batch.height, batch.width, config.vision.imageSize);
        const { predicted, entropySum: batchEntropy } = await predict(
          params,
          config,
          headTensor,
          logitScale,
          batch.pixels,
          batch.size,
        );
        batch.labels.forEach((label, j) => {
          checkLabel(images, label, batch.names[j]!, classes);
          if (predicted[j] === label) correct++;
        });
        entropySum += batchEntropy;
        n += batch.size;
        progress.advance(batch.size);
        options.signal?.throwIfAborted();
      }
    } finally {
      headTensor.dispose();
    }
    results.set(images.task, {
      accuracy: n > 0 ? correct / n : 0,
      n,
      skipped: counts[k]! - n,
      entropy: n > 0 ? entropySum / n : 0,
    });
  }
  progress.finish();
  return results;
}
