/**
 * The worker's one way of scoring an encoder for the main panels: a suite's EncoderScorer (the
 * v1 zoo's ZooScorer or the CLIP panel's ClipScorer, src/eval), in chunks of CHUNK images per
 * task with a cancel check and a callback between chunks. Results (`evaluate`), Live and the
 * sweep (`explore`) and AdaMerging's final score all go through it, and share the scorers (and
 * their cached images) of each set of tasks, kept on the session.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Params as EncoderParams } from '../../core';
import { addCounts, type EncoderScorer, type RangeCounts } from '../../eval';
import type { EncoderReader } from '../explore/merged-encoder';
import type { StudioSession } from '../session';

/** Images per task in one chunk of Live: small, so a newer slider position lands quickly. */
export const CHUNK = 32;
/**
 * …and of an evaluation (Results, AdaMerging's final score), where only Cancel interrupts:
 * 64 per task (512 images a pass) is ~20 % more images/s than 32 on tfjs-wasm (Node, 2 cores).
 */
export const EVALUATION_CHUNK = 64;

export interface TaskInfo {
  name: string;
  title: string;
}

export interface ScoringSuite extends EncoderReader {
  readonly kind: 'zoo' | 'clip';
  /** Every task, in order. */
  readonly tasks: readonly TaskInfo[];
  /** Test images of a task. */
  size(task: string): number;
  /**
   * The scorer of these tasks, kept on the session between requests; `ownTask`: the scorer
   * for the fine-tune of that one task (CLIP: with that fine-tune's config).
   */
  scorer(tasks: string[], ownTask?: boolean): EncoderScorer;
  /** The base's encoder: the zero-shot row. */
  base(): Promise<EncoderParams>;
  /** The fine-tune of `task`'s encoder. */
  individual(task: string): Promise<EncoderParams>;
  /** The checkpoint a recipe names for `task`'s fine-tune (an EMR modulator's key). */
  checkpointOf(task: string): string;
}

/**
 * A scorer cached on the session under `key`, made again when its `owner` (the zoo, the CLIP
 * tasks' pixel cache) is no longer the one it was made for.
 */
export function cachedScorer(
  session: StudioSession,
  owner: object,
  key: string,
  make: () => EncoderScorer,
): EncoderScorer {
  const { scorers } = session.explore;
  const found = scorers.get(key);
  if (found?.owner === owner) return found.scorer;
  found?.scorer.dispose();
  const scorer = make();
  scorers.set(key, { owner, scorer });
  return scorer;
}

/**
 * Counts over the images [from, to) of each task, added to `counts`, in chunks that end on
 * multiples of `chunk` (so the cached batches are the same whatever `from` is). `onChunk` gets the
 * images (all tasks) and milliseconds of each chunk.
 */
export async function countInChunks(
  scorer: EncoderScorer,
  encoder: Map<string, tf.Tensor>,
  range: { from: number; to: number; counts?: RangeCounts },
  {
    signal,
    onChunk,
    chunk = CHUNK,
  }: { signal: AbortSignal; onChunk?: (images: number, ms: number) => void; chunk?: number },
): Promise<RangeCounts> {
  let counts: RangeCounts = range.counts ?? { correct: {}, total: {} };
  let from = range.from;
  while (from < range.to) {
    signal.throwIfAborted();
    const to = Math.min(range.to, (Math.floor(from / chunk) + 1) * chunk);
    const t0 = performance.now();
    const got = await scorer.countRange(encoder, from, to);
    counts = addCounts(counts, got);
    onChunk?.(
      Object.values(got.total).reduce((a, b) => a + b, 0),
      performance.now() - t0,
    );
    from = to;
  }
  return counts;
}
