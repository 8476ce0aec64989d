/**
 * The zoo's merges as recipes run by the merge engine (src/merge's mergeParams): weight
 * averaging and task arithmetic, TIES in the paper's and FusionBench's form, and task
 * arithmetic with a weight per task (the interference rows). Model keys are `base` and the
 * task names; heads are task-specific and never merged. Only the merged encoder is returned.
 */
import type { Params } from '../core';
import { mergeParams, taskVectors, type ParamSettings, type Recipe } from '../merge';
import type { LoadedZoo } from '../zoo';

export const BASE_KEY = 'base';

/** The encoder tensors of a checkpoint (every tensor outside the head prefix). */
export function encoderOf(checkpoint: Params, headPrefix: string): Params {
  return new Map([...checkpoint].filter(([name]) => !name.startsWith(headPrefix)));
}

/** τ of every task over the encoder, in manifest order (the engine's task-vector kernel). */
export function zooTaskVectors(zoo: LoadedZoo): Params[] {
  const prefix = zoo.manifest.headPrefix;
  const base = encoderOf(zoo.base, prefix);
  return zoo.manifest.tasks.map((t) =>
    taskVectors(base, zoo.checkpoints.get(t.name)!, (n) => !n.startsWith(prefix), t.checkpoint),
  );
}

export interface ZooMerge {
  method: 'task_arithmetic' | 'ties';
  parameters: ParamSettings;
  /** Per task (manifest order) its model parameters; default `every`. */
  models?: ParamSettings[];
  /** Model parameters of every task without its own entry (default weight 1). */
  every?: ParamSettings;
}

export function zooRecipe(zoo: LoadedZoo, merge: ZooMerge): Recipe {
  return tasksRecipe(
    zoo.manifest.tasks.map((t) => t.name),
    merge,
    [zoo.manifest.headPrefix],
  );
}

/** `merge` over the base and one model per task (keys: the task names). */
export function tasksRecipe(
  tasks: readonly string[],
  merge: ZooMerge,
  taskSpecific: string[],
): Recipe {
  return {
    mergeMethod: merge.method,
    baseModel: BASE_KEY,
    models: tasks.map((t, k) => ({
      model: t,
      parameters: merge.models?.[k] ?? merge.every ?? { weight: 1 },
    })),
    parameters: merge.parameters,
    dtype: 'float32',
    taskSpecific,
  };
}

/** The merged encoder of `merge` over the zoo's base and fine-tunes. */
export async function zooMerge(zoo: LoadedZoo, merge: ZooMerge): Promise<Params> {
  const models = new Map<string, Params>([[BASE_KEY, zoo.base]]);
  for (const t of zoo.manifest.tasks) models.set(t.name, zoo.checkpoints.get(t.name)!);
  const merged = await mergeParams(zooRecipe(zoo, merge), models);
  return encoderOf(merged, zoo.manifest.headPrefix);
}

/** θ₀ + λ·Σ τₜ. */
export const taskArithmeticMerge = (lambda: number): ZooMerge => ({
  method: 'task_arithmetic',
  parameters: { lambda, normalize: false },
});

/** θ₀ + Σ wₜ·τₜ with one weight per task. */
export const weightedMerge = (weights: number[]): ZooMerge => ({
  method: 'task_arithmetic',
  parameters: { lambda: 1, normalize: false },
  models: weights.map((weight) => ({ weight })),
});

/**
 * TIES as published: top-`density` model-scope trim, sign by mass with the majority zero
 * rule, then the disjoint mean (official code) or sum (AdaMerging / FusionBench), times λ.
 */
export const tiesMerge = (options: {
  density: number;
  disjoint: 'mean' | 'sum';
  lambda: number;
}): ZooMerge => ({
  method: 'ties',
  parameters: {
    lambda: options.lambda,
    disjoint: options.disjoint,
    trim_scope: 'model',
    zero_sign: 'majority',
  },
  every: { weight: 1, density: options.density },
});
