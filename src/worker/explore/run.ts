/**
 * The explore handler (live exploration and the two-task sweep): merge a recipe and score it
 * on the suite of its checkpoints (the demo zoo, or the CLIP panel's tasks) without touching
 * the "last merge" that Run produced and Export offers.
 *
 * The merged encoder comes from the engine's plan (merged-encoder.ts: task arithmetic on
 * tensors kept on the device, other methods through the engine into memory). Scoring first
 * covers the first `estimate` images of each task (one forward pass; an `estimate` event),
 * then the rest in small chunks, checking for cancellation between them, so a newer slider
 * position never waits long for a stale refinement.
 */
import { accuracies, mean, type RangeCounts } from '../../eval';
import { inputsOf } from '../merge/run';
import type { Methods } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { countInChunks } from '../eval/scorers';
import { chooseTasks, suiteFor } from '../eval/suite';
import { mergedEncoder } from './merged-encoder';

type Params = Methods['explore']['params'];
type Result = Methods['explore']['result'];

export async function explore(
  session: StudioSession,
  { recipe, label, estimate = 0, estimateBudgetMs, limit, tasks }: Params,
  { signal, emit }: HandlerContext<'explore'>,
): Promise<Result> {
  const started = performance.now();
  const device = await session.tfDevice();
  const suite = await suiteFor(session, [...inputsOf(session.registry, recipe).keys()]);
  const { sizer } = session.explore;
  const taskInfo = chooseTasks(suite, tasks);
  const names = taskInfo.map((t) => t.name);
  signal.throwIfAborted();
  const { encoder, path } = await mergedEncoder(session, recipe, suite, signal);
  const mergeMs = performance.now() - started;
  try {
    const scorer = suite.scorer(names);
    const largest = Math.max(...names.map((t) => suite.size(t)));
    const total = Math.min(largest, limit ?? largest);
    let counts: RangeCounts = { correct: {}, total: {} };
    // Every scoring pass also measures the throughput that sizes the next estimate.
    const score = async (from: number, to: number) => {
      const t0 = performance.now();
      const got = await scorer.countRange(encoder, from, to);
      sizer.observe(performance.now() - t0, (to - from) * names.length);
      return got;
    };
    let from = 0;
    const size = sizer.size(estimate, names.length, estimateBudgetMs);
    if (size > 0 && size < total) {
      counts = await score(0, size);
      from = size;
      signal.throwIfAborted();
      const accuracy = accuracies(counts);
      emit({
        type: 'estimate',
        accuracy,
        average: mean(Object.values(accuracy)),
        images: size,
        tasks: taskInfo,
        ms: performance.now() - started,
        mergeMs,
      });
    }
    counts = await countInChunks(
      scorer,
      encoder,
      { from, to: total, counts },
      {
        signal,
        onChunk: (images, ms) => sizer.observe(ms, images),
      },
    );
    const accuracy = accuracies(counts);
    return {
      label,
      accuracy,
      average: mean(Object.values(accuracy)),
      tasks: taskInfo,
      device,
      images: total,
      mergeMs,
      path,
    };
  } finally {
    for (const t of encoder.values()) t.dispose();
  }
}
