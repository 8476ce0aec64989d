/**
 * The explore handler (live exploration and the two-task sweep): merge a recipe and score it
 * on the demo zoo without touching the "last merge" that Run produced and Export offers.
 *
 * Fast path: task arithmetic (any weights, λ, normalize, LiNeS) is θ₀ + Σ cₜ τₜ on tensors that
 * stay on the tfjs device (merge's linearSteps, weights-cache.ts); other methods go through the
 * real engine into memory. Scoring first covers the first `estimate` images of each task (one
 * forward pass; an `estimate` event), then the rest in small chunks, checking for cancellation
 * between them, so a newer slider position never waits long for a stale refinement.
 */
import type * as tf from '@tensorflow/tfjs';
import { memorySink, memorySource, type Checkpoint } from '../../io';
import { executeMerge, linearSteps, planMerge } from '../../merge';
import { accuracies, mean, readEncoder, type RangeCounts } from '../../eval';
import { toTensors } from '../../models';
import type { LoadedZoo } from '../../zoo';
import type { CheckpointRegistry } from '../checkpoints/registry';
import { chooseMergeBackend } from '../merge/backend';
import { inputsOf } from '../merge/run';
import { onlyTasks } from '../eval/evaluate';
import type { Methods, Recipe } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { countInChunks, scorerFor } from '../eval/scorers';

type Params = Methods['explore']['params'];
type Result = Methods['explore']['result'];

/** Beyond this many f32 values (θ₀ and every τ) the fast path would hog memory: use the engine. */
const MAX_CACHED_VALUES = 64 * 2 ** 20;

/** The merged encoder as tensors (caller disposes), and which path made it. */
async function mergedEncoder(
  session: StudioSession,
  recipe: Recipe,
  zoo: LoadedZoo,
  signal: AbortSignal,
): Promise<{ encoder: Map<string, tf.Tensor>; path: 'direct' | 'engine' }> {
  const { registry } = session;
  const { cache } = session.explore;
  const inputs = inputsOf(registry, recipe);
  const plan = await planMerge(recipe, inputs);
  const steps = linearSteps(plan);
  const values = steps
    ? steps.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (s.models.length + 1), 0)
    : Infinity;
  if (steps && values <= MAX_CACHED_VALUES) {
    const open = new Set<Checkpoint>(inputs.values());
    cache.prune((c) => open.has(c) || isRegistered(registry, c));
    return { encoder: await cache.merge(steps, inputs, signal), path: 'direct' };
  }
  const backend = await chooseMergeBackend(session);
  try {
    const sink = memorySink('explore.safetensors');
    await executeMerge(plan, backend, sink, { signal });
    const arrays = await readEncoder(
      memorySource(sink.bytes(), 'explore.safetensors'),
      zoo.manifest.model.config,
    );
    return { encoder: toTensors(arrays), path: 'engine' };
  } finally {
    backend.dispose();
  }
}

function isRegistered(registry: CheckpointRegistry, checkpoint: Checkpoint): boolean {
  return registry.byName(checkpoint.name)?.checkpoint === checkpoint;
}

export async function explore(
  session: StudioSession,
  { recipe, label, estimate = 0, estimateBudgetMs, limit, tasks }: Params,
  { signal, emit }: HandlerContext<'explore'>,
): Promise<Result> {
  const started = performance.now();
  const device = await session.tfDevice();
  const zoo = await session.theZoo();
  const { sizer } = session.explore;
  const wanted = onlyTasks(zoo, tasks).manifest.tasks;
  const names = wanted.map((t) => t.name);
  const taskInfo = wanted.map((t) => ({ name: t.name, title: t.title }));
  signal.throwIfAborted();
  const { encoder, path } = await mergedEncoder(session, recipe, zoo, signal);
  const mergeMs = performance.now() - started;
  try {
    const scorer = scorerFor(session.explore, zoo, names);
    const largest = Math.max(...names.map((t) => zoo.testSets.get(t)?.count ?? 0));
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
