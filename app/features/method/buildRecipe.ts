/**
 * The store's method state as a recipe (the mergekit schema plus studio extras). Models are
 * named by their checkpoint names, which the worker keeps unique. Only values the user changed
 * are written: everything else is the method's declared default, resolved by the engine.
 */
import type { Recipe } from '../../../src/worker/protocol';
import type { StudioState } from '../../store';

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
  const recipe: Recipe = {
    mergeMethod: method.name,
    models: models.map((c) => ({ model: c.name, parameters: { ...state.modelParams[c.id] } })),
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
