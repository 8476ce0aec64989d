export * from './types';
export { runAdaMerging, type AdaMergingOutput } from './run';
export { AdaMergingSession, resolveOptions } from './session';
export { PauseToken } from './pause';
export {
  adamergingRecipe,
  adamergingRecipeFor,
  mergedCheckpoint,
  mergeRecipe,
  type RecipeTargets,
} from './export';
export { firstStepGradient, lossAt, type GradientProbe } from './gradient';
export { AdaMergingInputError } from './errors';
export { measureSteps, type StepMeasurement } from './measure';
