/**
 * Whether mergekit can run a recipe and give the same tensors: an exported YAML is presented as
 * mergekit-compatible only then. mergekit ignores the `merge_studio:` key, so a recipe whose
 * result depends on it (a method mergekit lacks, a studio-only parameter away from its
 * mergekit-equivalent default, task-specific tensors left out of the merge) would run there
 * and silently give different tensors — or not run at all.
 */
import type { MethodDefinition, ParamSpec } from '../methods/types';
import { getMethod } from '../registry';
import { isF32DtypeName } from './dtype';
import type { ParamSetting, Recipe } from './types';

/** mergekit's merge_method names (merge_methods/registry.py and its @merge_method entries). */
export const MERGEKIT_METHODS: ReadonlySet<string> = new Set([
  'linear',
  'slerp',
  'nuslerp',
  'passthrough',
  'model_stock',
  'arcee_fusion',
  'karcher',
  'task_arithmetic',
  'ties',
  'dare_ties',
  'dare_linear',
  'breadcrumbs',
  'breadcrumbs_ties',
  'della',
  'della_linear',
  'average',
  'multislerp',
  'nearswap',
  'ram',
  'ramplus_tl',
  'sce',
]);

/** A setting equal to the parameter's default everywhere (scalars, gradients, conditionals). */
function isDefault(spec: ParamSpec, setting: ParamSetting): boolean {
  if (!Array.isArray(setting)) return setting === spec.default;
  return setting.every((s: unknown) =>
    typeof s === 'object' && s !== null && 'value' in s
      ? isDefault(spec, (s as { value: ParamSetting }).value)
      : s === spec.default,
  );
}

function studioOnlyUses(method: MethodDefinition, recipe: Recipe): string[] {
  const specs = new Map(
    [...method.globalParams, ...method.modelParams]
      .filter((p) => p.studioOnly)
      .map((p) => [p.name, p]),
  );
  const used = new Set<string>();
  const scan = (settings: Record<string, ParamSetting>) => {
    for (const [name, setting] of Object.entries(settings)) {
      const spec = specs.get(name);
      if (spec && !isDefault(spec, setting)) used.add(`${name}: ${JSON.stringify(setting)}`);
    }
  };
  scan(recipe.parameters);
  for (const m of recipe.models) scan(m.parameters);
  return [...used];
}

/** Why mergekit cannot reproduce this recipe (empty: it can). */
export function mergekitIncompatibilities(recipe: Recipe): string[] {
  if (!MERGEKIT_METHODS.has(recipe.mergeMethod))
    return [`merge_method "${recipe.mergeMethod}" does not exist in mergekit`];
  const reasons: string[] = [];
  let method: MethodDefinition | undefined;
  try {
    method = getMethod(recipe.mergeMethod);
  } catch {
    return reasons;
  }
  for (const use of studioOnlyUses(method, recipe))
    reasons.push(`studio-only parameter ${use} (mergekit ignores it)`);
  const rescale = recipe.parameters.rescale;
  if (
    rescale !== undefined &&
    rescale !== 'l1' &&
    rescale !== 'none' &&
    typeof rescale !== 'boolean'
  )
    reasons.push(`rescale: ${JSON.stringify(rescale)} (mergekit knows only true/false)`);
  if (recipe.taskSpecific.length > 0)
    reasons.push('task-specific tensors are kept out of the merge (mergekit merges every tensor)');
  if (recipe.computeDtype === 'float32' && recipe.dtype && !isF32DtypeName(recipe.dtype))
    reasons.push(
      `merge_studio.compute_dtype: float32 with dtype ${recipe.dtype} (mergekit computes in ${recipe.dtype})`,
    );
  return reasons;
}
