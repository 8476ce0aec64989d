/**
 * The result as a merge like any other: a recipe recording λ per task and per tensor (a
 * mergekit-style `{filter, value}` list on each model's `weight`), and a safetensors checkpoint
 * holding the merged encoder plus every task's own head, with the recipe in its metadata.
 *
 * AdaMerging (task- and layer-wise, ++ included) exports exactly what the merge engine makes
 * of the recipe: the encoder tensors are `mergeParams(recipe)`, so re-running the exported
 * recipe gives the same tensors, bit for bit (λ as recorded, rounded to 1e-6). AdaMerging++ is
 * recorded as TIES with the paper's settings (model-scope trim, disjoint sum, majority zero
 * sign) and `elect: unweighted`: the engine then elects signs on the unweighted trimmed τ, as
 * AdaMerging++ does (merge's tiesSelectedTaskVectors), not on the λ-weighted deltas.
 */
import {
  mergeParams,
  paramsToBytes,
  recipeToYaml,
  type ConditionalSetting,
  type Recipe,
  type RecipeModel,
} from '../../merge';
import type { LoadedZoo } from '../../zoo';
import type { Params } from '../../core';
import type { AdaMergingResult } from './types';

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Where a learned merge's recipe points: the base, each task's model, what is not merged. */
export interface RecipeTargets {
  baseModel: string;
  modelOf(task: string): string;
  taskSpecific: string[];
}

/**
 * The learned λ as a recipe: task arithmetic (TIES with the paper's settings for ++), λ per task
 * as each model's weight, per merged tensor as a `{filter, value}` list when layer-wise.
 */
export function adamergingRecipeFor(result: AdaMergingResult, targets: RecipeTargets): Recipe {
  const models = result.tasks.map((task, k): RecipeModel => {
    const row = result.lambdas[k] ?? [];
    const weight =
      result.mode === 'task'
        ? round(row[0] ?? 0)
        : result.tensorNames.map((name, l): ConditionalSetting => ({
            filter: name,
            value: round(row[l] ?? 0),
          }));
    return {
      model: targets.modelOf(task),
      parameters: result.plus ? { weight, density: result.options.density } : { weight },
    };
  });
  return {
    mergeMethod: result.plus ? 'ties' : 'task_arithmetic',
    baseModel: targets.baseModel,
    models,
    parameters: result.plus
      ? {
          lambda: 1,
          trim_scope: 'model',
          disjoint: 'sum',
          zero_sign: 'majority',
          elect: 'unweighted',
        }
      : { normalize: false, lambda: 1 },
    dtype: 'float32',
    taskSpecific: targets.taskSpecific,
  };
}

export function adamergingRecipe(result: AdaMergingResult, zoo: LoadedZoo): Recipe {
  const files = new Map(zoo.manifest.tasks.map((t) => [t.name, t.checkpoint]));
  return adamergingRecipeFor(result, {
    baseModel: zoo.manifest.base.checkpoint,
    modelOf: (task) => files.get(task) ?? task,
    taskSpecific: [zoo.manifest.headPrefix],
  });
}

/** The zoo's checkpoints under the recipe's model keys (their file names). */
function recipeInputs(zoo: LoadedZoo): Map<string, Params> {
  const models = new Map<string, Params>([[zoo.manifest.base.checkpoint, zoo.base]]);
  for (const t of zoo.manifest.tasks) {
    const checkpoint = zoo.checkpoints.get(t.name);
    if (checkpoint) models.set(t.checkpoint, checkpoint);
  }
  return models;
}

/** The merge engine's result of `adamergingRecipe(result, zoo)` (every output tensor). */
export function mergeRecipe(result: AdaMergingResult, zoo: LoadedZoo): Promise<Params> {
  return mergeParams(adamergingRecipe(result, zoo), recipeInputs(zoo));
}

/**
 * Merged encoder + each task's head, written by the io SafetensorsWriter; metadata carries the
 * recipe (YAML) and λ (JSON). The encoder is the engine's merge of the recipe (`merged` only
 * names the tensors: the session's own θ₀ + Σλτ agrees with it to float rounding).
 */
export async function mergedCheckpoint(
  result: AdaMergingResult,
  merged: Params,
  zoo: LoadedZoo,
): Promise<Uint8Array> {
  const engine = await mergeRecipe(result, zoo);
  const tensors: Params = new Map(
    [...merged.keys()].map((name) => [name, engine.get(name) ?? merged.get(name)!]),
  );
  for (const task of zoo.manifest.tasks) {
    const checkpoint = zoo.checkpoints.get(task.name);
    for (const h of task.headTensors) {
      const t = checkpoint?.get(h);
      if (t) tensors.set(h, t);
    }
  }
  return paramsToBytes(tensors, {
    merge_studio_method: result.plus
      ? `adamerging++ (${result.mode}-wise)`
      : `adamerging (${result.mode}-wise)`,
    merge_studio_recipe: recipeToYaml(adamergingRecipe(result, zoo)),
    merge_studio_lambdas: JSON.stringify({
      tasks: result.tasks,
      tensors: result.mode === 'task' ? ['*'] : result.tensorNames,
      lambdas: result.lambdas,
    }),
  });
}
