export type { ConditionalSetting, ParamSetting, ParamSettings, Recipe, RecipeModel } from './types';
export { RecipeError } from './types';
export { parseRecipe, type ParsedRecipe } from './parse';
export { recipeToObject, recipeToYaml } from './serialize';
export {
  resolveParams,
  resolveSetting,
  taskModels,
  usesBase,
  type ResolvedParams,
} from './resolve';
export { validateParams, type ParamIssue } from './validate';
export { checkRecipe } from './check';
export { parseDtypeName, dtypeToRecipeName } from './dtype';
export { newRecipe } from './new-recipe';
export { mergekitIncompatibilities, MERGEKIT_METHODS } from './mergekit-compat';
export { modelCard } from './model-card';
