/**
 * AdaMerging on CLIP vision towers (the paper's own setting): θ₀ the base's `vision_model.*`,
 * τₖ each fine-tune's difference to it (TIES-selected for ++), uploaded once as [T, n] stacks;
 * the projection and every task's zero-shot head stay fixed. The merged tower for a λ comes
 * from the same `mergedEncoder` the demo zoo's AdaMerging uses, so θ₀ + Σλτ exists once.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedArray, Params } from '../../core';
import { taskVectors, tiesSelectedTaskVectors } from '../../merge';
import type { ClipConfig } from '../../models';
import { mergedEncoder, type MergeProblem } from '../adamerging/problem';
import { AdaMergingInputError } from '../adamerging/errors';

export interface ClipHostProblem {
  config: ClipConfig;
  tasks: string[];
  /** Merged tensors (the vision tower), in the base's order. */
  tensorNames: string[];
  shapes: Map<string, number[]>;
  base: Params;
  vectors: Params[];
  /** `visual_projection.weight`: fixed, from the base. */
  projection: NamedArray;
  logitScale: number;
  /** Per task, [classes, proj] unit rows. */
  heads: { weight: Float32Array; classes: number; dim: number }[];
}

export interface ClipProblemInput {
  config: ClipConfig;
  base: Params;
  finetunes: { task: string; vision: Params }[];
  projection: NamedArray;
  logitScale: number;
  heads: { weight: Float32Array; classes: number; dim: number }[];
  plus: boolean;
  density: number;
}

export function clipHostProblem(input: ClipProblemInput): ClipHostProblem {
  if (input.finetunes.length === 0) throw new AdaMergingInputError('no fine-tuned task to merge');
  const base: Params = new Map([...input.base].filter(([n]) => n.startsWith('vision_model.')));
  let vectors = input.finetunes.map((f) =>
    taskVectors(base, f.vision, () => true, `task "${f.task}"`),
  );
  if (input.plus) vectors = tiesSelectedTaskVectors(vectors, input.density);
  const tensorNames = [...base.keys()];
  return {
    config: input.config,
    tasks: input.finetunes.map((f) => f.task),
    tensorNames,
    shapes: new Map(tensorNames.map((n) => [n, base.get(n)!.shape])),
    base,
    vectors,
    projection: input.projection,
    logitScale: input.logitScale,
    heads: input.heads,
  };
}

/** What mergedEncoder reads, plus the fixed parts of the CLIP classifier. */
export interface ClipDeviceProblem extends Pick<
  MergeProblem,
  'tasks' | 'tensorNames' | 'shapes' | 'base' | 'stacks'
> {
  config: ClipConfig;
  projection: tf.Tensor;
  heads: tf.Tensor2D[];
  logitScale: number;
  dispose(): void;
}

export function uploadClipProblem(host: ClipHostProblem): ClipDeviceProblem {
  const base = new Map<string, tf.Tensor>();
  const stacks = new Map<string, tf.Tensor2D>();
  for (const name of host.tensorNames) {
    const b = host.base.get(name)!;
    base.set(name, tf.tensor(b.data, b.shape, 'float32'));
    const n = b.data.length;
    const packed = new Float32Array(host.tasks.length * n);
    host.vectors.forEach((v, k) => packed.set(v.get(name)!.data, k * n));
    stacks.set(name, tf.tensor2d(packed, [host.tasks.length, n]));
  }
  const projection = tf.tensor(host.projection.data, host.projection.shape, 'float32');
  const heads = host.heads.map((h) => tf.tensor2d(h.weight, [h.classes, h.dim]));
  return {
    config: host.config,
    tasks: host.tasks,
    tensorNames: host.tensorNames,
    shapes: host.shapes,
    base,
    stacks,
    projection,
    heads,
    logitScale: host.logitScale,
    dispose() {
      for (const m of [base, stacks]) for (const t of m.values()) t.dispose();
      projection.dispose();
      for (const h of heads) h.dispose();
    },
  };
}

/** θ₀ + Σₖ λₖ·τₖ (clamped to [0, 1] when asked) plus the fixed projection. */
export function mergedClipParams(
  problem: ClipDeviceProblem,
  lambdas: tf.Tensor2D,
  clamp: boolean,
): Map<string, tf.Tensor> {
  // mergedEncoder reads only the λ-merging fields, which ClipDeviceProblem has.
  const merged = mergedEncoder(problem as unknown as MergeProblem, lambdas, clamp);
  merged.set('visual_projection.weight', problem.projection);
  return merged;
}
