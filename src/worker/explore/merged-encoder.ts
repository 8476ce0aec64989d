/**
 * A recipe's merged encoder as tfjs tensors, for scoring without touching the last merge: the
 * merge engine's plan gives every coefficient. Task arithmetic (any weights, λ, normalize,
 * LiNeS) is θ₀ + Σ cₜ τₜ on tensors kept on the device (merge's linearSteps, weights-cache.ts);
 * every other method is written by the engine into memory and its encoder read back. Which
 * tensors form the encoder is the scored family's (`EncoderReader`: the zoo's, CLIP's tower).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Params as EncoderParams } from '../../core';
import { memorySink, type Checkpoint } from '../../io';
import { executeMerge, linearSteps, planMerge, type Recipe } from '../../merge';
import { toTensors } from '../../models';
import type { CheckpointRegistry } from '../checkpoints/registry';
import { chooseMergeBackend } from '../merge/backend';
import { inputsOf } from '../merge/run';
import type { StudioSession } from '../session';

/** Beyond this many f32 values (θ₀ and every τ) the fast path would hog memory: use the engine. */
const MAX_CACHED_VALUES = 64 * 2 ** 20;

/** How a model family's encoder is found in a merge. */
export interface EncoderReader {
  /** The tensors of a direct merge that the scorer reads (the others are dropped at once). */
  keeps(name: string): boolean;
  /** The encoder of a merged safetensors file (what the engine wrote). */
  readMerged(bytes: Uint8Array, name: string): Promise<EncoderParams>;
}

function isRegistered(registry: CheckpointRegistry, checkpoint: Checkpoint): boolean {
  return registry.byName(checkpoint.name)?.checkpoint === checkpoint;
}

/** The merged encoder as tensors (caller disposes), and which path made it. */
export async function mergedEncoder(
  session: StudioSession,
  recipe: Recipe,
  reader: EncoderReader,
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
    const kept = steps.filter((s) => reader.keeps(s.name));
    return { encoder: await cache.merge(kept, inputs, signal), path: 'direct' };
  }
  const backend = await chooseMergeBackend(session);
  try {
    const sink = memorySink('explore.safetensors');
    await executeMerge(plan, backend, sink, { signal });
    const arrays = await reader.readMerged(sink.bytes(), 'explore.safetensors');
    return { encoder: toTensors(arrays), path: 'engine' };
  } finally {
    backend.dispose();
  }
}
