/**
 * Preprocessed test images kept between evaluations of the same tasks. Decoding and resizing
 * are the same for every model scored on a task, and they were a large part of each CLIP
 * evaluation in the page (0.5 ms an image of the demo's 32 px PNGs, a fifth of a full-set row;
 * most of a live estimate's 32 images a task). The owner (the page's session) passes one cache
 * to every evaluation and drops it with the tasks; entries are keyed by the task's image set
 * (object identity), the preprocessing and the count, and the cache stops storing once its byte
 * budget is full (later requests decode as before), so a 224 px test set cannot fill memory.
 */
import type { ClipPreprocessConfig, ImageBatch, ImageErrorReport } from '../../data';
import type { TaskImages } from './task-images';

interface Entry {
  batches: ImageBatch[];
  skipped: ImageErrorReport[];
}

export class PixelCache {
  private readonly entries = new WeakMap<TaskImages, Map<string, Entry>>();
  private used = 0;

  /** `budgetBytes`: the pixels it may hold in all (default 256 MiB). */
  constructor(readonly budgetBytes = 256 * 2 ** 20) {}

  /** Bytes of pixels held. */
  get bytes(): number {
    return this.used;
  }

  /** Bytes it may still take. */
  get room(): number {
    return this.budgetBytes - this.used;
  }

  private static key(cfg: ClipPreprocessConfig, count: number, batchSize: number): string {
    return `${JSON.stringify(cfg)}|${count}|${batchSize}`;
  }

  get(
    images: TaskImages,
    cfg: ClipPreprocessConfig,
    count: number,
    batchSize: number,
  ): Entry | undefined {
    return this.entries.get(images)?.get(PixelCache.key(cfg, count, batchSize));
  }

  /** Keeps a task's whole preprocessed run if it fits the budget; returns whether it did. */
  put(
    images: TaskImages,
    cfg: ClipPreprocessConfig,
    count: number,
    batchSize: number,
    entry: Entry,
  ): boolean {
    const size = entry.batches.reduce((a, b) => a + b.pixels.byteLength, 0);
    if (size > this.room) return false;
    let forTask = this.entries.get(images);
    if (!forTask) this.entries.set(images, (forTask = new Map()));
    const key = PixelCache.key(cfg, count, batchSize);
    if (forTask.has(key)) return true;
    forTask.set(key, entry);
    this.used += size;
    return true;
  }
}
