/**
 * Fast, repeated scoring of many encoders on the zoo's test sets, for live exploration: the
 * test images are turned into patch tensors once (per range) and every task's slice of one
 * range is pushed through the transpose-free encoder (fast-encode.ts) in ONE forward pass (the encoder is shared by all tasks; only the
 * heads differ). Only the predicted classes are read back. Counts over disjoint image ranges
 * add up, so a quick estimate on the first images can be refined by scoring the rest.
 */
import * as tf from '@tensorflow/tfjs';
import { imagesToTensor, toTensors, vitHead } from '../models';
import { encodePatches, toPatches } from './fast-encode';
import type { LoadedZoo } from '../zoo';
import type { EncoderScorer, RangeCounts } from './scorer';

/** The v1 demo zoo's scorer (patch tensors cached per range, the ViT encoder, task heads). */
export class ZooScorer implements EncoderScorer {
  private readonly batches = new Map<string, { patches: tf.Tensor2D; counts: number[] }>();
  private readonly heads: Map<string, tf.Tensor>;
  readonly tasks: string[];

  constructor(
    private readonly zoo: LoadedZoo,
    tasks?: string[],
  ) {
    this.tasks = tasks ?? zoo.manifest.tasks.map((t) => t.name);
    const headArrays = new Map(
      zoo.manifest.tasks
        .filter((t) => this.tasks.includes(t.name))
        .flatMap((t) =>
          t.headTensors.map((h) => [h, zoo.checkpoints.get(t.name)!.get(h)!] as const),
        ),
    );
    this.heads = toTensors(headArrays);
  }

  /** The images [from, to) of every task, concatenated in task order (built once per range). */
  private batch(from: number, to: number): { patches: tf.Tensor2D; counts: number[] } {
    const key = `${from}:${to}`;
    const cached = this.batches.get(key);
    if (cached) return cached;
    const counts: number[] = [];
    const parts: Uint8Array[] = [];
    let side = 0;
    for (const task of this.tasks) {
      const set = this.zoo.testSets.get(task)!;
      side = set.side;
      const end = Math.min(to, set.count);
      const start = Math.min(from, end);
      counts.push(end - start);
      parts.push(set.pixels.subarray(start * set.side ** 2, end * set.side ** 2));
    }
    const total = counts.reduce((a, b) => a + b, 0);
    const pixels = new Uint8Array(total * side * side);
    let at = 0;
    for (const p of parts) {
      pixels.set(p, at);
      at += p.length;
    }
    const images = imagesToTensor(pixels, total, side);
    const made = { patches: toPatches(images, this.zoo.manifest.model.config), counts };
    images.dispose();
    this.batches.set(key, made);
    return made;
  }

  /** Scores `encoder` (every `encoder.*` tensor) on the images [from, to) of each task. */
  async countRange(
    encoder: Map<string, tf.Tensor>,
    from: number,
    to: number,
  ): Promise<RangeCounts> {
    const { patches, counts } = this.batch(from, to);
    const correct: Record<string, number> = {};
    const total: Record<string, number> = {};
    const sum = counts.reduce((a, b) => a + b, 0);
    if (sum === 0) {
      for (const t of this.tasks) [correct[t], total[t]] = [0, 0];
      return { correct, total };
    }
    const config = this.zoo.manifest.model.config;
    const predictions = tf.tidy(() => {
      const features = encodePatches(encoder, patches, config);
      const perTask: tf.Tensor[] = [];
      let row = 0;
      this.tasks.forEach((task, k) => {
        const n = counts[k]!;
        if (n > 0) {
          const slice = tf.slice(features, [row, 0], [n, -1]) as tf.Tensor2D;
          perTask.push(tf.argMax(vitHead(this.heads, slice, task, config), 1));
        }
        row += n;
      });
      return perTask.length === 1 ? perTask[0]! : tf.concat(perTask);
    });
    const predicted = await predictions.data();
    predictions.dispose();
    let at = 0;
    this.tasks.forEach((task, k) => {
      const n = counts[k]!;
      const labels = this.zoo.testSets.get(task)!.labels;
      const start = Math.min(from, this.zoo.testSets.get(task)!.count);
      let ok = 0;
      for (let i = 0; i < n; i++) if (predicted[at + i] === labels[start + i]) ok++;
      correct[task] = ok;
      total[task] = n;
      at += n;
    });
    return { correct, total };
  }

  dispose(): void {
    for (const { patches } of this.batches.values()) patches.dispose();
    this.batches.clear();
    for (const t of this.heads.values()) t.dispose();
  }
}
