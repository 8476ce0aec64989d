/**
 * The scoring seam the studio's main panels (Results, Live, the sweep) use: an encoder scored on
 * each task's test images in ranges [from, to), by the v1 zoo's ZooScorer or the CLIP
 * ClipScorer. Counts over disjoint ranges add up, so a quick estimate on the first images can
 * be refined by scoring the rest, whichever model family it is.
 */
import type * as tf from '@tensorflow/tfjs';

/** Correct predictions per task on the images [from, to) of each test set. */
export interface RangeCounts {
  /** Task name → correct predictions. */
  correct: Record<string, number>;
  /** Task name → images scored (the range clipped to the test set). */
  total: Record<string, number>;
}

export interface EncoderScorer {
  /** The tasks it scores, in order. */
  readonly tasks: readonly string[];
  /**
   * Scores `encoder` (the merged tensors by name: the zoo's `encoder.*`, CLIP's
   * `vision_model.*`) on the images [from, to) of each task.
   */
  countRange(encoder: Map<string, tf.Tensor>, from: number, to: number): Promise<RangeCounts>;
  /** Frees what it holds on the device. */
  dispose(): void;
}

/** Adds the counts of disjoint ranges. */
export function addCounts(a: RangeCounts, b: RangeCounts): RangeCounts {
  const correct: Record<string, number> = { ...a.correct };
  const total: Record<string, number> = { ...a.total };
  for (const [t, n] of Object.entries(b.correct)) correct[t] = (correct[t] ?? 0) + n;
  for (const [t, n] of Object.entries(b.total)) total[t] = (total[t] ?? 0) + n;
  return { correct, total };
}

/** Task name → accuracy in [0, 1] (0 for a task with no images). */
export function accuracies(counts: RangeCounts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts.total).map(([t, n]) => [t, n > 0 ? (counts.correct[t] ?? 0) / n : 0]),
  );
}
