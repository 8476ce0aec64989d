/**
 * mergekit YAML → Recipe. Structure errors throw RecipeError naming the file and the key;
 * keys the studio does not use produce warnings. Parameter values are checked later against
 * the method's declarations (validateParams), so the UI can show all problems at once.
 */
import { parse as parseYaml } from 'yaml';
import type { ParamSettings, Recipe, RecipeModel, SliceSource } from './types';
import { RecipeError } from './types';
import { isF32DtypeName } from './dtype';

export interface ParsedRecipe {
  recipe: Recipe;
  warnings: string[];
}

const IGNORED_KEYS = new Set(['tokenizer', 'chat_template', 'name', 'parameters_slices']);
const KNOWN_KEYS = new Set([
  'merge_method',
  'base_model',
  'models',
  'parameters',
  'dtype',
  'out_dtype',
  'random_seed',
  'merge_studio',
  'slices',
  'tokenizer_source',
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseRecipe(text: string, file = 'recipe'): ParsedRecipe {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new RecipeError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(doc))
    throw new RecipeError(`${file}: a recipe must be a YAML mapping with merge_method, models, …`);
  const warnings: string[] = [];
  const slices = doc.slices === undefined ? undefined : parseSlices(doc.slices, file);
  if (slices && doc.models !== undefined)
    throw new RecipeError(`${file}: give either "models" or "slices", not both`);
  if (slices)
    doc.models = [...new Set(slices.flat().map((s) => s.model))].map((model) => ({ model }));
  for (const key of Object.keys(doc)) {
    if (IGNORED_KEYS.has(key))
      warnings.push(`${file}: "${key}" is ignored (the studio merges weights only)`);
    else if (!KNOWN_KEYS.has(key)) warnings.push(`${file}: unknown key "${key}" ignored`);
  }
  const method = doc.merge_method;
  if (typeof method !== 'string' || method === '')
    throw new RecipeError(`${file}: "merge_method" is required (a method name)`);
  const base = doc.base_model;
  if (base !== undefined && base !== null && typeof base !== 'string') {
    throw new RecipeError(`${file}: "base_model" must be a path or model id (a string)`);
  }
  if (!Array.isArray(doc.models) || doc.models.length === 0) {
    throw new RecipeError(`${file}: "models" must be a non-empty list of {model, parameters}`);
  }
  const studio = doc.merge_studio === undefined ? {} : doc.merge_studio;
  if (!isRecord(studio)) throw new RecipeError(`${file}: "merge_studio" must be a mapping`);
  const studioModelParams = studio.model_parameters ?? {};
  if (!isRecord(studioModelParams))
    throw new RecipeError(
      `${file}: "merge_studio.model_parameters" must be a mapping of model → parameters`,
    );

  const models: RecipeModel[] = doc.models.map((entry: unknown, i: number) => {
    const m = typeof entry === 'string' ? { model: entry } : entry;
    if (!isRecord(m) || typeof m.model !== 'string' || m.model === '') {
      throw new RecipeError(`${file}: models[${i}] needs "model: <path or id>"`);
    }
    for (const k of Object.keys(m)) {
      if (k !== 'model' && k !== 'parameters')
        warnings.push(`${file}: models[${i}]: unknown key "${k}" ignored`);
    }
    const own = settings(m.parameters, `${file}: models[${i}] (${m.model}).parameters`);
    // Own keys only: a model named "constructor" or "__proto__" is a name, not a lookup.
    const extra = settings(
      Object.hasOwn(studioModelParams, m.model) ? studioModelParams[m.model] : undefined,
      `${file}: merge_studio.model_parameters.${m.model}`,
    );
    return { model: m.model, parameters: { ...own, ...extra } };
  });
  const parameters = {
    ...settings(doc.parameters, `${file}: parameters`),
    ...settings(studio.parameters, `${file}: merge_studio.parameters`),
  };
  // mergekit's boolean `rescale` means l1 (true) or none (false) since 2025.
  if (typeof parameters.rescale === 'boolean')
    parameters.rescale = parameters.rescale ? 'l1' : 'none';
  const recipe: Recipe = { mergeMethod: method, models, parameters, taskSpecific: [] };
  if (slices) recipe.slices = slices;
  const tokenizerSource = doc.tokenizer_source;
  if (tokenizerSource !== undefined && tokenizerSource !== null) {
    if (typeof tokenizerSource !== 'string' || tokenizerSource === '')
      throw new RecipeError(`${file}: "tokenizer_source" must be base, union or a model`);
    recipe.tokenizerSource = tokenizerSource;
  }
  if (typeof base === 'string') recipe.baseModel = base;
  for (const [key, prop] of [
    ['dtype', 'dtype'],
    ['out_dtype', 'outDtype'],
  ] as const) {
    const v = doc[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string')
      throw new RecipeError(`${file}: "${key}" must be a dtype name such as bfloat16`);
    recipe[prop] = v;
  }
  if (doc.random_seed !== undefined && doc.random_seed !== null) {
    const s = doc.random_seed;
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) {
      throw new RecipeError(`${file}: "random_seed" must be a non-negative integer`);
    }
    recipe.randomSeed = s;
  }
  const ts = studio.task_specific;
  if (ts !== undefined) {
    const list = typeof ts === 'string' ? [ts] : ts;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x !== '')) {
      throw new RecipeError(
        `${file}: "merge_studio.task_specific" must be a list of tensor-name substrings`,
      );
    }
    recipe.taskSpecific = list as string[];
  }
  const cd = studio.compute_dtype;
  if (cd !== undefined) {
    if (typeof cd !== 'string' || !isF32DtypeName(cd))
      throw new RecipeError(
        `${file}: "merge_studio.compute_dtype" must be float32 (compute in f32 whatever dtype says); got ${JSON.stringify(cd)}`,
      );
    recipe.computeDtype = 'float32';
  }
  for (const k of Object.keys(studio)) {
    if (!['parameters', 'model_parameters', 'task_specific', 'compute_dtype'].includes(k))
      warnings.push(`${file}: merge_studio: unknown key "${k}" ignored`);
  }
  return { recipe, warnings };
}

function settings(v: unknown, what: string): ParamSettings {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw new RecipeError(`${what} must be a mapping of parameter → value`);
  return v as ParamSettings;
}

/** mergekit's `slices: [{sources: [{model, layer_range: [a, b]}]}]`. */
function parseSlices(v: unknown, file: string): SliceSource[][] {
  if (!Array.isArray(v) || v.length === 0)
    throw new RecipeError(`${file}: "slices" must be a non-empty list of {sources: [...]}`);
  return v.map((slice: unknown, i) => {
    const where = `${file}: slices[${i}]`;
    if (!isRecord(slice) || !Array.isArray(slice.sources) || slice.sources.length === 0)
      throw new RecipeError(`${where} needs "sources": a list of {model, layer_range}`);
    return slice.sources.map((src: unknown, j) => {
      const at = `${where}.sources[${j}]`;
      if (!isRecord(src) || typeof src.model !== 'string' || src.model === '')
        throw new RecipeError(`${at} needs "model: <path or id>"`);
      const range = src.layer_range;
      if (
        !Array.isArray(range) ||
        range.length !== 2 ||
        !range.every((x) => Number.isSafeInteger(x) && (x as number) >= 0) ||
        (range[0] as number) >= (range[1] as number)
      )
        throw new RecipeError(`${at}: "layer_range" must be [first, end) with 0 ≤ first < end`);
      if (src.parameters !== undefined)
        throw new RecipeError(
          `${at}: per-slice "parameters" are not supported; use the top-level parameters`,
        );
      return { model: src.model, layerRange: [range[0], range[1]] as [number, number] };
    });
  });
}
