/**
 * Recipe → YAML. mergekit-known parameters stay where mergekit reads them; the studio's own
 * parameters (paper options such as trim_scope, LiNeS, TALL) and the task-specific filter go
 * under the top-level `merge_studio:` key, which mergekit ignores.
 */
import { stringify } from 'yaml';
import type { MethodDefinition } from '../methods/types';
import { getMethod } from '../registry';
import { mergekitIncompatibilities } from './mergekit-compat';
import type { ParamSettings, Recipe } from './types';

function split(
  settings: ParamSettings,
  method: MethodDefinition,
): { known: ParamSettings; studio: ParamSettings } {
  const studioNames = new Set(
    [...method.globalParams, ...method.modelParams].filter((p) => p.studioOnly).map((p) => p.name),
  );
  const known: ParamSettings = {};
  const studio: ParamSettings = {};
  for (const [k, v] of Object.entries(settings)) (studioNames.has(k) ? studio : known)[k] = v;
  return { known, studio };
}

export function recipeToObject(recipe: Recipe): Record<string, unknown> {
  const method = getMethod(recipe.mergeMethod);
  const out: Record<string, unknown> = { merge_method: recipe.mergeMethod };
  if (recipe.baseModel !== undefined) out.base_model = recipe.baseModel;
  const studioModels: Record<string, ParamSettings> = {};
  if (recipe.slices) {
    out.slices = recipe.slices.map((sources) => ({
      sources: sources.map((s) => ({ model: s.model, layer_range: s.layerRange })),
    }));
  }
  const listed = recipe.slices ? [] : recipe.models;
  out.models = listed.map((m) => {
    const { known, studio } = split(m.parameters, method);
    if (Object.keys(studio).length > 0) studioModels[m.model] = studio;
    return Object.keys(known).length > 0
      ? { model: m.model, parameters: known }
      : { model: m.model };
  });
  if (recipe.slices) delete out.models;
  const { known, studio } = split(recipe.parameters, method);
  // mergekit reads `rescale` as a boolean: l1/none become true/false, other modes are ours.
  if (known.rescale === 'l1' || known.rescale === 'none') known.rescale = known.rescale === 'l1';
  else if (known.rescale !== undefined) {
    studio.rescale = known.rescale;
    delete known.rescale;
  }
  if (Object.keys(known).length > 0) out.parameters = known;
  if (recipe.dtype !== undefined) out.dtype = recipe.dtype;
  if (recipe.outDtype !== undefined) out.out_dtype = recipe.outDtype;
  if (recipe.randomSeed !== undefined) out.random_seed = recipe.randomSeed;
  if (recipe.tokenizerSource !== undefined) out.tokenizer_source = recipe.tokenizerSource;
  const extras: Record<string, unknown> = {};
  if (Object.keys(studio).length > 0) extras.parameters = studio;
  if (Object.keys(studioModels).length > 0) extras.model_parameters = studioModels;
  if (recipe.taskSpecific.length > 0) extras.task_specific = recipe.taskSpecific;
  if (recipe.computeDtype !== undefined) extras.compute_dtype = recipe.computeDtype;
  if (Object.keys(extras).length > 0) out.merge_studio = extras;
  return out;
}

/**
 * The recipe as YAML. When mergekit could not reproduce it, the text says so first (a comment
 * heading the file), so it is never presented as mergekit-compatible.
 */
export function recipeToYaml(recipe: Recipe): string {
  const yaml = stringify(recipeToObject(recipe));
  const reasons = mergekitIncompatibilities(recipe);
  if (reasons.length === 0) return yaml;
  const lines = reasons.map((r) => `#   - ${r.replace(/\n/g, ' ')}`);
  return [
    '# NOT mergekit-compatible: mergekit cannot run this recipe or would give different tensors:',
    ...lines,
    '# Merge Studio reads every field below (merge_studio: included).',
    yaml,
  ].join('\n');
}
