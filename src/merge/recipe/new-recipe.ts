/**
 * A fresh recipe for a method with every parameter at its declared default — what the UI
 * starts a form from. Defaults that are null (unset options) are left out.
 */
import { getMethod } from '../registry';
import type { ParamSettings, Recipe } from './types';

export function newRecipe(methodName: string, models: string[], baseModel?: string): Recipe {
  const method = getMethod(methodName);
  const defaults = (specs: typeof method.globalParams): ParamSettings => {
    const out: ParamSettings = {};
    for (const p of specs) if (p.default !== null) out[p.name] = p.default;
    return out;
  };
  const recipe: Recipe = {
    mergeMethod: method.name,
    models: models.map((model) => ({ model, parameters: defaults(method.modelParams) })),
    parameters: defaults(method.globalParams),
    taskSpecific: [],
  };
  if (baseModel !== undefined && method.needsBase) recipe.baseModel = baseModel;
  return recipe;
}
