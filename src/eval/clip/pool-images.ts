/**
 * A task's unlabelled image pool for AdaMerging: its first `limit` images, decoded and
 * preprocessed once and kept as floats (AdaMerging samples from them every step). Broken
 * images are reported and skipped.
 */
import { preprocessBatches, type ImageErrorReport } from '../../data';
import type { ClipPreprocessConfig } from '../../data';
import { ClipEvalError } from './errors';
import { firstImages, type TaskImages } from './task-images';

export interface PreprocessedPool {
  pixels: Float32Array;
  count: number;
  side: number;
}

export async function preprocessedPool(
  t: TaskImages,
  preprocess: ClipPreprocessConfig,
  side: number,
  limit: number,
  options: { onSkip?: (r: ImageErrorReport) => void; signal?: AbortSignal } = {},
): Promise<PreprocessedPool> {
  const per = side * side * 3;
  const count = Math.min(limit, t.count);
  const pixels = new Float32Array(count * per);
  let at = 0;
  const batches = preprocessBatches(firstImages(t.images(), count), preprocess, {
    batchSize: 32,
    onError: (r) => options.onSkip?.(r),
    signal: options.signal,
  });
  for await (const batch of batches) {
    if (batch.height !== side || batch.width !== side) {
      throw new ClipEvalError(
        `${t.source}: preprocessing gives ${batch.height}×${batch.width} images, the model ` +
          `takes ${side}×${side}`,
      );
    }
    pixels.set(batch.pixels, at * per);
    at += batch.size;
  }
  if (at === 0) throw new ClipEvalError(`${t.source}: task "${t.task}": no readable image`);
  return { pixels: pixels.subarray(0, at * per), count: at, side };
}
