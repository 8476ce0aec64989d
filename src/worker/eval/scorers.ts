/**
 * The worker's one way of scoring an encoder on the demo zoo's test sets: the ZooScorer (one
 * transpose-free forward pass for all tasks' images, patches cut once and cached), in chunks of
 * CHUNK images per task with a cancel check and a callback between chunks. Results
 * (`evaluate`), Live and the sweep (`explore`) and AdaMerging's final score all go through it,
 * and share the cached patch tensors of each set of tasks.
 */
import type * as tf from '@tensorflow/tfjs';
import { addCounts, ZooScorer, type RangeCounts } from '../../eval';
import type { LoadedZoo } from '../../zoo';
import type { ExploreState } from '../session';

/** Images per task in one chunk of Live: small, so a newer slider position lands quickly. */
export const CHUNK = 32;
/**
 * …and of an evaluation (Results, AdaMerging's final score), where only Cancel interrupts:
 * 64 per task (512 images a pass) is ~20 % more images/s than 32 on tfjs-wasm (Node, 2 cores).
 */
export const EVALUATION_CHUNK = 64;

/** One scorer (cached image tensors) per set of tasks: all of them, one per fine-tune, two per sweep. */
export function scorerFor({ scorers }: ExploreState, zoo: LoadedZoo, tasks: string[]): ZooScorer {
  const key = tasks.join(',');
  const found = scorers.get(key);
  if (found?.zoo === zoo) return found.scorer;
  found?.scorer.dispose();
  const scorer = new ZooScorer(zoo, tasks);
  scorers.set(key, { zoo, scorer });
  return scorer;
}

/**
 * Counts over the images [from, to) of each task, added to `counts`, in chunks that end on
 * multiples of `chunk` (so the cached batches are the same whatever `from` is). `onChunk` gets the
 * images (all tasks) and milliseconds of each chunk.
 */
export async function countInChunks(
  scorer: ZooScorer,
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
