/** Whole-recipe checks (method, models, base, dtypes, parameters) → list of error messages. */
import { getMethod, UnknownMethodError } from '../registry';
import { parseDtypeName } from './dtype';
import { taskModels } from './resolve';
import type { Recipe } from './types';
import { validateParams } from './validate';

export function checkRecipe(recipe: Recipe): string[] {
  let method;
  try {
    method = getMethod(recipe.mergeMethod);
  } catch (e) {
    if (e instanceof UnknownMethodError) return [e.message];
    throw e;
  }
  const errors: string[] = recipe.slices ? sliceProblems(recipe.slices, method.name) : [];
  const seen = new Set<string>();
  for (const m of recipe.models) {
    if (seen.has(m.model)) errors.push(`model "${m.model}" is listed twice`);
    seen.add(m.model);
  }
  if (method.needsBase && recipe.baseModel === undefined) {
    errors.push(
      `${method.name} needs "base_model" (the pretrained model the task vectors are taken from)`,
    );
  }
  const n = recipe.slices ? method.minModels : taskModels(recipe, method).length;
  if (n < method.minModels) {
    errors.push(
      `${method.name} needs at least ${method.minModels} model(s) besides the base, got ${n}`,
    );
  }
  if (method.maxModels !== undefined && n > method.maxModels) {
    errors.push(
      `${method.name} takes at most ${method.maxModels} model(s) besides the base, got ${n}`,
    );
  }
  for (const [key, v] of [
    ['dtype', recipe.dtype],
    ['out_dtype', recipe.outDtype],
  ] as const) {
    if (v === undefined) continue;
    try {
      parseDtypeName(v, key);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const disjoint = recipe.parameters.disjoint;
  const normalize = recipe.parameters.normalize;
  if (
    typeof disjoint === 'string' &&
    typeof normalize === 'boolean' &&
    normalize !== (disjoint === 'mean')
  ) {
    errors.push(
      `parameters: "disjoint: ${disjoint}" contradicts "normalize: ${normalize}" (mean = normalize on, sum = off); set only one`,
    );
  }
  errors.push(
    ...validateParams(method, { parameters: recipe.parameters, models: recipe.models }).map(
      (i) => i.message,
    ),
  );
  return errors;
}

/** The studio stacks slices with passthrough only: one source per slice, copied. */
function sliceProblems(slices: NonNullable<Recipe['slices']>, method: string): string[] {
  if (method !== 'passthrough')
    return [
      `slices: only passthrough (layer stacking) takes slices here, not ${method}; list whole models under "models"`,
    ];
  return slices.flatMap((sources, i) =>
    sources.length === 1
      ? []
      : [`slices[${i}]: passthrough takes exactly one source per slice, got ${sources.length}`],
  );
}
