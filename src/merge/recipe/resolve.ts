/**
 * Per-tensor parameter values: gradients are interpolated over the depth, conditionals pick
 * the first matching filter, and precedence is per-model > global > method default.
 */
import { layerFraction } from '../layers';
import type { MethodDefinition, ParamSpec, ParamValue } from '../methods/types';
import { getMethod } from '../registry';
import type { ParamSetting, Recipe, RecipeModel } from './types';

/**
 * mergekit's conditional match (config.py, evaluate_setting): no filter or the filter "*"
 * matches every tensor; any other filter is a substring of the tensor name ("*" is not a
 * glob elsewhere: "mlp.*" is the literal text).
 */
export function filterMatches(filter: string | undefined, tensorName: string): boolean {
  return filter === undefined || filter === '*' || tensorName.includes(filter);
}

/**
 * Value of one setting for a tensor. Gradient [v₀…vₙ₋₁]: s = t·(n−1), blend v[⌊s⌋] and
 * v[⌊s⌋+1] with t = layer/(L−1) (t = 0 outside numbered blocks). Undefined when a conditional
 * list has no matching entry (the next precedence level applies).
 */
export function resolveSetting(
  setting: ParamSetting,
  tensorName: string,
  t: number,
): ParamValue | undefined {
  if (!Array.isArray(setting)) return setting;
  if (setting.length === 0) return undefined;
  if (typeof setting[0] === 'number') {
    const values = setting as number[];
    const s = t * (values.length - 1);
    const i = Math.min(Math.floor(s), values.length - 1);
    const frac = s - i;
    const lo = values[i] as number;
    const hi = values[Math.min(i + 1, values.length - 1)] as number;
    // mergekit's evaluate_setting: (1 − frac)·v[i0] + frac·v[i1], in that order.
    return frac === 0 ? lo : (1 - frac) * lo + frac * hi;
  }
  for (const c of setting as { filter?: string; value: ParamSetting }[]) {
    if (filterMatches(c.filter, tensorName)) return resolveSetting(c.value, tensorName, t);
  }
  return undefined;
}

export interface ResolvedParams {
  global: Record<string, ParamValue>;
  /** One record per task model (the non-base models, see taskModels()). */
  models: Record<string, ParamValue>[];
}

/**
 * Whether this recipe's merge takes θ₀ from base_model: always for methods that need one,
 * and for methods whose base is optional (nuslerp, multislerp) when the recipe names one.
 */
export function usesBase(recipe: Recipe, method: MethodDefinition): boolean {
  return method.needsBase || (method.optionalBase === true && recipe.baseModel !== undefined);
}

/** The models a method combines: all models but the base when the merge uses a base. */
export function taskModels(
  recipe: Recipe,
  method: MethodDefinition = getMethod(recipe.mergeMethod),
): RecipeModel[] {
  if (!usesBase(recipe, method) || recipe.baseModel === undefined) return recipe.models;
  return recipe.models.filter((m) => m.model !== recipe.baseModel);
}

/** mergekit's boolean `rescale` maps to the studio's modes. */
function coerce(spec: ParamSpec, v: ParamValue): ParamValue {
  if (spec.name === 'rescale' && typeof v === 'boolean') return v ? 'l1' : 'none';
  return v;
}

export function resolveParams(
  recipe: Recipe,
  tensorName: string,
  layerIndex: number | null,
  numLayers: number,
): ResolvedParams {
  const method = getMethod(recipe.mergeMethod);
  const t = layerFraction(layerIndex, numLayers);
  const fromGlobal = (spec: ParamSpec): ParamValue | undefined => {
    const s = recipe.parameters[spec.name];
    const v = s === undefined ? undefined : resolveSetting(s, tensorName, t);
    return v === undefined ? undefined : coerce(spec, v);
  };
  const global: Record<string, ParamValue> = {};
  for (const spec of method.globalParams) {
    const v = fromGlobal(spec) ?? spec.default;
    if (v !== null) global[spec.name] = v;
  }
  const models = taskModels(recipe, method).map((m) => {
    const out: Record<string, ParamValue> = {};
    for (const spec of method.modelParams) {
      const s = m.parameters[spec.name];
      const own = s === undefined ? undefined : resolveSetting(s, tensorName, t);
      const v =
        (own === undefined ? undefined : coerce(spec, own)) ?? fromGlobal(spec) ?? spec.default;
      if (v !== null) out[spec.name] = v;
    }
    return out;
  });
  return { global, models };
}
