/**
 * The CLIP page's accuracy rows, each through src/eval's evaluateClip on the session's tfjs
 * device: the base's tower through every task's head (zero-shot), each fine-tune on its own
 * task (individuals), or a recipe merged by the merge engine — its plan gives the coefficients
 * (merged-encoder.ts, as live exploration: task arithmetic θ₀ + Σcτ on tensors kept on the
 * device; other methods: the engine writes the merge into memory and its tower is read back).
 */
import * as tf from '@tensorflow/tfjs';
import type { ProgressCallback } from '../../core';
import {
  evaluateClip,
  readVisionTower,
  VISUAL_PROJECTION,
  type PixelCache,
  type NamedArrays,
  type ScoredTask,
} from '../../eval';
import type { Recipe } from '../../merge';
import { CLIP_UNMERGED, toTensors, type ClipConfig } from '../../models';
import { mergedEncoder } from '../explore/merged-encoder';
import type { ComputeDevice, Methods } from '../protocol';
import type { HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import type { ClipAccuracyRow } from './protocol';
import type { ClipBase } from './state';
import { CLIP_TOWER } from './suite';

type Tensors = Map<string, tf.Tensor>;

/** A vision tower plus the base's projection, as tensors the caller disposes. */
function withProjection(vision: Tensors, base: ClipBase): Tensors {
  const p = base.model.projection;
  vision.set(VISUAL_PROJECTION, tf.tensor(p.data, p.shape, 'float32'));
  return vision;
}

/** The vision tower of a merged safetensors file (what the engine wrote), as tensors. */
export async function visionOfBytes(bytes: Uint8Array, name: string): Promise<Tensors> {
  return toTensors(await CLIP_TOWER.readMerged(bytes, name));
}

/** The recipe with the CLIP parts that are never merged listed task-specific (copied). */
export function clipRecipe(recipe: Recipe): Recipe {
  const taskSpecific = [...new Set([...recipe.taskSpecific, ...CLIP_UNMERGED])];
  return { ...recipe, taskSpecific };
}

/** The merged vision tower of `recipe` as tensors, with its coefficients from the engine. */
export async function mergedVision(
  session: StudioSession,
  recipe: Recipe,
  signal: AbortSignal,
): Promise<Tensors> {
  return (await mergedEncoder(session, recipe, CLIP_TOWER, signal)).encoder;
}

/** Scores one set of vision tensors on some tasks; disposes the tensors. */
export async function scoreTower(
  vision: Tensors,
  config: ClipConfig,
  base: ClipBase,
  tasks: readonly ScoredTask[],
  options: {
    limit?: number;
    signal: AbortSignal;
    onProgress: ProgressCallback;
    pixels?: PixelCache;
  },
): Promise<Map<string, { accuracy: number; n: number }>> {
  const params = withProjection(vision, base);
  try {
    return await evaluateClip(params, config, base.model.logitScale, base.preprocess, tasks, {
      limit: options.limit,
      signal: options.signal,
      onProgress: options.onProgress,
      pixels: options.pixels,
    });
  } finally {
    for (const t of params.values()) t.dispose();
  }
}

export function rowOf(
  label: string,
  results: Map<string, { accuracy: number; n: number }>,
  device: ComputeDevice,
): ClipAccuracyRow {
  const accuracy: Record<string, number> = {};
  const images: Record<string, number> = {};
  for (const [task, r] of results) {
    accuracy[task] = r.accuracy;
    images[task] = r.n;
  }
  const values = Object.values(accuracy);
  const average = values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  return { label, accuracy, images, average, device };
}

const visionArrays = (v: NamedArrays): Tensors => toTensors(v);

export async function clipEvaluate(
  session: StudioSession,
  { target, label, limit }: Methods['clipEvaluate']['params'],
  { signal, emit }: HandlerContext<'clipEvaluate'>,
): Promise<ClipAccuracyRow> {
  const device = await session.tfDevice();
  const base = session.clip.theBase();
  const tuned = session.clip.withTasks();
  const onProgress: ProgressCallback = (progress) =>
    emit({ type: 'progress', progress: { ...progress, task: `evaluating ${label}` } });
  const options = { limit, signal, onProgress, pixels: session.clip.pixels };
  const all = tuned.map((f) => f.task);
  const results = new Map<string, { accuracy: number; n: number }>();
  if (target === 'individuals') {
    for (const f of tuned) {
      signal.throwIfAborted();
      const vision = visionArrays(await readVisionTower(f.checkpoint));
      const config = { ...f.config, text: base.model.config.text };
      for (const [k, v] of await scoreTower(vision, config, base, [f.task], options))
        results.set(k, v);
    }
  } else {
    const vision =
      target === 'zero-shot'
        ? visionArrays(base.model.vision)
        : await mergedVision(session, clipRecipe(target.recipe), signal);
    for (const [k, v] of await scoreTower(vision, base.model.config, base, all, options))
      results.set(k, v);
  }
  return rowOf(label, results, device);
}
