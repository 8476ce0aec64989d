/**
 * The CLIP side of the main panels' scoring seam (../scorer.ts): a vision tower scored on the
 * attached tasks' test images in ranges [from, to), so Results, the Live slider's estimate and
 * the sweep treat CLIP checkpoints as they treat the v1 zoo. The images of every task in a range
 * go through the tower in one forward pass (the tower is shared; only the zero-shot heads
 * differ), with the same functions as evaluateClip (unitImageEmbeds, zeroShotLogits).
 *
 * Images are decoded lazily, as far as the ranges asked for reach, through evaluateClip's own
 * batch source: a session's PixelCache that already holds a task's set serves it at once, and a
 * set decoded to its end is kept there for every later evaluation. The scorer keeps what it
 * decoded up to a byte budget; past it (224 px test sets) the images behind a scored range are
 * let go and a later range that starts before them decodes the set again from its start, so
 * a ViT-B/32-sized set streams as evaluateClip streams it. Image indices count the images that
 * decoded (a broken one is skipped, as evaluateClip skips it).
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipPreprocessConfig, ImageBatch } from '../../data';
import type { ClipConfig } from '../../models';
import type { NamedArray } from '../../core';
import type { EncoderScorer, RangeCounts } from '../scorer';
import { unitImageEmbeds, zeroShotLogits } from './classify';
import { checkLabel, checkSize, taskBatches, type ScoredTask } from './evaluate';
import { VISUAL_PROJECTION } from './model';
import type { PixelCache } from './pixel-cache';
import { checkTaskImages } from './task-images';

export interface ClipScorerSetup {
  tasks: readonly ScoredTask[];
  /** The tower's config (the base's, or a fine-tune's for its own task). */
  config: ClipConfig;
  logitScale: number;
  /** The base's visual_projection, added to every scored tower. */
  projection: NamedArray;
  preprocess: ClipPreprocessConfig;
  /** The session's preprocessed images, shared with evaluateClip. */
  pixels?: PixelCache;
  /** Images per decoded batch: 32 is evaluateClip's, so the cached sets are shared. */
  batchSize?: number;
  /** Decoded pixels it keeps between ranges, all tasks together (default 256 MiB). */
  budgetBytes?: number;
}

/** A task's images decoded so far (those kept), and the rest of its batch stream. */
interface Decoded {
  batches: ImageBatch[];
  /** Index of each kept batch's first image. */
  starts: number[];
  /** Images decoded from the stream's start. */
  count: number;
  done: boolean;
  stream: AsyncGenerator<ImageBatch>;
}

export class ClipScorer implements EncoderScorer {
  readonly tasks: string[];
  private readonly byName: Map<string, ScoredTask>;
  private readonly heads = new Map<string, tf.Tensor2D>();
  private readonly decoded = new Map<string, Decoded>();
  /** Decoding in flight per task (calls that overlap wait for each other, in order). */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly projection: tf.Tensor;

  constructor(private readonly setup: ClipScorerSetup) {
    for (const t of setup.tasks) checkTaskImages(t.images, true);
    this.tasks = setup.tasks.map((t) => t.images.task);
    this.byName = new Map(setup.tasks.map((t) => [t.images.task, t]));
    for (const { images, head } of setup.tasks)
      this.heads.set(images.task, tf.tensor2d(head.weight, [head.classNames.length, head.dim]));
    const p = setup.projection;
    this.projection = tf.tensor(p.data, p.shape, 'float32');
  }

  /** A task's stream from its first image (a new one when the kept images start later). */
  private fresh(task: string): Decoded {
    const { images } = this.byName.get(task)!;
    const { preprocess, pixels, batchSize = 32 } = this.setup;
    const stream = taskBatches(images, images.count, preprocess, batchSize, { pixels }, () => {});
    const d: Decoded = { batches: [], starts: [], count: 0, done: false, stream };
    this.decoded.set(task, d);
    return d;
  }

  /** Whether the kept images of a task cover [from, to) (as far as the set reaches). */
  private covers(task: string, from: number, to: number): boolean {
    const d = this.decoded.get(task);
    if (!d) return false;
    const first = d.starts[0] ?? d.count;
    return first <= Math.min(from, d.count) && (d.done || d.count >= to);
  }

  /** Decodes a task's images until [from, to) is kept (or the set ends). */
  private ensure(task: string, from: number, to: number): Promise<void> {
    const side = this.setup.config.vision.imageSize;
    const images = this.byName.get(task)!.images;
    const run = async () => {
      let d = this.decoded.get(task) ?? this.fresh(task);
      if ((d.starts[0] ?? d.count) > from) d = this.fresh(task);
      while (!d.done && d.count < to) {
        const next = await d.stream.next();
        if (next.done) {
          d.done = true;
          break;
        }
        checkSize(images, next.value.height, next.value.width, side);
        d.batches.push(next.value);
        d.starts.push(d.count);
        d.count += next.value.size;
      }
    };
    const queued = (this.queues.get(task) ?? Promise.resolve()).then(run);
    this.queues.set(task, queued);
    return queued;
  }

  /** Over the budget, the images before `to` are let go (a later range re-decodes them). */
  private trim(to: number): void {
    const held = [...this.decoded.values()].reduce(
      (n, d) => n + d.batches.reduce((m, b) => m + b.pixels.byteLength, 0),
      0,
    );
    if (held <= (this.setup.budgetBytes ?? 256 * 2 ** 20)) return;
    for (const d of this.decoded.values()) {
      while (d.batches.length > 0 && d.starts[0]! + d.batches[0]!.size <= to) {
        d.batches.shift();
        d.starts.shift();
      }
    }
  }

  /** The decoded images [from, to) of a task: pixels (HWC each) and labels. */
  private slice(task: string, from: number, to: number) {
    const d = this.decoded.get(task)!;
    const end = Math.min(to, d.count);
    const start = Math.min(from, end);
    const per = this.setup.config.vision.imageSize ** 2 * 3;
    const pixels = new Float32Array((end - start) * per);
    const labels: number[] = [];
    const names: string[] = [];
    d.batches.forEach((batch, b) => {
      const s = d.starts[b]!;
      const lo = Math.max(start, s);
      const hi = Math.min(end, s + batch.size);
      if (lo >= hi) return;
      pixels.set(batch.pixels.subarray((lo - s) * per, (hi - s) * per), (lo - start) * per);
      for (let i = lo; i < hi; i++) {
        labels.push(batch.labels[i - s]!);
        names.push(batch.names[i - s]!);
      }
    });
    return { pixels, labels, names };
  }

  async countRange(
    encoder: Map<string, tf.Tensor>,
    from: number,
    to: number,
  ): Promise<RangeCounts> {
    // Another range's trim may run between the decoding and the slicing: decode until covered.
    while (!this.tasks.every((t) => this.covers(t, from, to)))
      await Promise.all(this.tasks.map((t) => this.ensure(t, from, to)));
    const parts = this.tasks.map((t) => this.slice(t, from, to));
    this.trim(to);
    const correct: Record<string, number> = {};
    const total: Record<string, number> = {};
    const sum = parts.reduce((n, p) => n + p.labels.length, 0);
    if (sum === 0) {
      for (const t of this.tasks) [correct[t], total[t]] = [0, 0];
      return { correct, total };
    }
    const predicted = await this.predict(encoder, parts, sum);
    let at = 0;
    this.tasks.forEach((task, k) => {
      const { labels, names } = parts[k]!;
      const classes = this.byName.get(task)!.head.classNames.length;
      let ok = 0;
      labels.forEach((label, i) => {
        checkLabel(this.byName.get(task)!.images, label, names[i]!, classes);
        if (predicted[at + i] === label) ok++;
      });
      [correct[task], total[task]] = [ok, labels.length];
      at += labels.length;
    });
    return { correct, total };
  }

  /** Predicted classes of all the parts' images, in order: one tower pass, a head per task. */
  private async predict(
    encoder: Map<string, tf.Tensor>,
    parts: { pixels: Float32Array; labels: number[] }[],
    sum: number,
  ): Promise<Int32Array> {
    const { config, logitScale } = this.setup;
    const side = config.vision.imageSize;
    const all = new Float32Array(sum * side * side * 3);
    let offset = 0;
    for (const p of parts) {
      all.set(p.pixels, offset);
      offset += p.pixels.length;
    }
    const params = new Map(encoder).set(VISUAL_PROJECTION, this.projection);
    const predictions = tf.tidy(() => {
      const x = tf.tensor4d(all, [sum, side, side, 3]);
      const unit = unitImageEmbeds(params, x, config);
      const perTask: tf.Tensor[] = [];
      let row = 0;
      this.tasks.forEach((task, k) => {
        const n = parts[k]!.labels.length;
        if (n === 0) return;
        const slice = tf.slice(unit, [row, 0], [n, -1]) as tf.Tensor2D;
        perTask.push(tf.argMax(zeroShotLogits(slice, this.heads.get(task)!, logitScale), 1));
        row += n;
      });
      return perTask.length === 1 ? perTask[0]! : tf.concat(perTask);
    });
    const out = (await predictions.data()) as Int32Array;
    predictions.dispose();
    return out;
  }

  dispose(): void {
    for (const t of this.heads.values()) t.dispose();
    this.heads.clear();
    this.projection.dispose();
    this.decoded.clear();
  }
}
