/**
 * The store's method state as a recipe (the mergekit schema plus studio extras). Models are
 * named by their checkpoint names, which the worker keeps unique. The form's initial values
 * (initialValues.ts) and the user's changes are written: everything else is the method's
 * declared default, resolved by the engine.
 */
import type { Recipe } from '../../../src/worker/protocol';
import type { StudioState } from '../../store';
import { initialModelValues } from './initialValues';

type RecipeInputs = Pick<
  StudioState,
  | 'methods'
  | 'methodName'
  | 'globalParams'
  | 'modelParams'
  | 'seed'
  | 'checkpoints'
  | 'baseId'
  | 'taskFilter'
>;

export function buildRecipe(state: RecipeInputs): Recipe | null {
  const method = state.methods.find((m) => m.name === state.methodName);
  if (!method) return null;
  const ready = state.checkpoints.filter((c) => c.status === 'ready');
  const base = ready.find((c) => c.id === state.baseId);
  const models = ready.filter((c) => !(method.needsBase && c.id === state.baseId));
  const initial = initialModelValues(method.name);
  const recipe: Recipe = {
    mergeMethod: method.name,
    models: models.map((c) => ({
      model: c.name,
      parameters: { ...initial, ...state.modelParams[c.id] },
    })),
    parameters: { ...state.globalParams },
    randomSeed: state.seed,
    taskSpecific: state.taskFilter
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  };
  if (base) recipe.baseModel = base.name;
  return recipe;
}
