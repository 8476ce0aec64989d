/**
 * planMerge: validates everything (recipe, parameters for every tensor, inputs present, same
 * names/shapes, float dtypes) before any output exists, and lists the per-tensor steps in
 * sorted-name order plus the passes the executor must make.
 *
 * Tensor policy:
 * - merged: every float tensor (F32/F16/BF16) of the base (or of the first model when the
 *   method has no base) that is not task-specific; every input must have it with the same shape.
 * - task-specific (a name containing one of recipe.taskSpecific, e.g. `head.`): never merged;
 *   copied unchanged, names unchanged, from the task model that has it. Models normally carry
 *   distinct names (heads.<task>.…); a name held by several task models must be byte-identical
 *   there, else it is an error listing the models. A task-specific tensor only the base has is
 *   copied from the base.
 * - non-float tensors (I64 position ids, …) and F64 are copied from the base / first model.
 * - a non-task-specific tensor that the base lacks is an error (suggesting task_specific).
 */
import { FLOAT_DTYPES, type FloatDtype } from '../io/types';
import { shapeMismatchProblem } from './recipe/vocabulary';
import { tensorByteSize } from '../io';
import { countLayers, layerIndexOf } from './layers';
import { buildJobTemplate } from './planning/jobs';
import { stackSlices } from './planning/slices';
import { alignVocabularies } from './planning/vocab';
import {
  MergePlanError,
  type CopyStep,
  type MergeCheckpoint,
  type MergePlan,
  type MergeStep,
  type OutputChanges,
  type PassKind,
  type PlanStep,
} from './planning/types';
import { checkRecipe } from './recipe/check';
import { parseDtypeName } from './recipe/dtype';
import { applyComputeDtype } from './planning/compute-dtype';
import { resolveParams, taskModels, usesBase } from './recipe/resolve';
import type { Recipe } from './recipe/types';
import { getMethod } from './registry';

export interface PlanOptions {
  /** Overrides the recipe's out_dtype / dtype for merged tensors. */
  outDtype?: FloatDtype;
  /** Recipe model key → parsed tokenizer.json, for tokenizer_source (planning/vocab.ts). */
  tokenizers?: Map<string, unknown>;
}

const isFloat = (d: string): d is FloatDtype => (FLOAT_DTYPES as readonly string[]).includes(d);

export async function planMerge(
  recipe: Recipe,
  checkpoints: Map<string, MergeCheckpoint>,
  options: PlanOptions = {},
): Promise<MergePlan> {
  const recipeProblems = checkRecipe(recipe);
  if (recipeProblems.length > 0) throw new MergePlanError(recipeProblems);
  let views = checkpoints;
  const output: OutputChanges = {};
  if (recipe.tokenizerSource !== undefined) {
    const aligned = alignVocabularies(recipe, views, options.tokenizers ?? new Map());
    views = aligned.checkpoints;
    Object.assign(output, {
      vocabSize: aligned.vocabSize,
      tokenizer: aligned.tokenizer,
      tokenizerFrom: aligned.source,
      tokenizerBuilt: recipe.tokenizerSource === 'union',
    });
  }
  if (recipe.slices) {
    // Layer stacking: a one-model passthrough of the stacked view; the plan keeps the recipe.
    const stacked = stackSlices(recipe, views);
    output.numLayers = stacked.numLayers;
    const plan = await planModels(stacked.recipe, stacked.checkpoints, options);
    return { ...plan, recipe, output };
  }
  const plan = await planModels(recipe, views, options);
  return Object.keys(output).length > 0 ? { ...plan, output } : plan;
}

/** planMerge for a recipe of whole models (no slices) on checkpoints as the executor reads them. */
async function planModels(
  recipe: Recipe,
  checkpoints: Map<string, MergeCheckpoint>,
  options: PlanOptions,
): Promise<MergePlan> {
  const recipeProblems = checkRecipe(recipe);
  if (recipeProblems.length > 0) throw new MergePlanError(recipeProblems);
  const method = getMethod(recipe.mergeMethod);
  const problems: string[] = [];
  const warnings: string[] = [];

  const taskKeys = taskModels(recipe, method).map((m) => m.model);
  const baseKey = usesBase(recipe, method) ? recipe.baseModel : undefined;
  const inputKeys = baseKey === undefined ? taskKeys : [baseKey, ...taskKeys];
  for (const key of inputKeys) {
    if (!checkpoints.has(key)) problems.push(`model "${key}": no checkpoint was opened for it`);
  }
  if (problems.length > 0) throw new MergePlanError(problems);
  if (
    baseKey === undefined &&
    recipe.baseModel !== undefined &&
    !inputKeys.includes(recipe.baseModel)
  ) {
    warnings.push(
      `base_model "${recipe.baseModel}" is not used by ${method.name} (only the listed models are merged)`,
    );
  }
  const ckpt = (key: string) => checkpoints.get(key)!;
  const refKey = inputKeys[0]!;
  const ref = ckpt(refKey);

  let outDtype = options.outDtype;
  if (!outDtype && (recipe.outDtype ?? recipe.dtype)) {
    outDtype = parseDtypeName(
      (recipe.outDtype ?? recipe.dtype)!,
      recipe.outDtype ? 'out_dtype' : 'dtype',
    );
  }

  const isTaskSpecific = (name: string) => recipe.taskSpecific.some((f) => name.includes(f));
  const allNames = new Set<string>();
  for (const key of inputKeys) for (const name of ckpt(key).tensors.keys()) allNames.add(name);
  const names = [...allNames].sort();

  const copies: CopyStep[] = [];
  const mergedNames: string[] = [];
  for (const name of names) {
    if (isTaskSpecific(name)) {
      const copy = await planTaskSpecific(name, taskKeys, baseKey, ckpt, problems);
      if (copy) copies.push(copy);
      continue;
    }
    const info = ref.tensors.get(name)?.info;
    if (!info) {
      const holders = inputKeys.filter((k) => ckpt(k).tensors.has(name)).map((k) => ckpt(k).name);
      problems.push(
        `${holders.join(', ')}: tensor ${name} is not in ${ref.name}; if it is task-specific (a head), list a filter for it in merge_studio.task_specific`,
      );
      continue;
    }
    if (!isFloat(info.dtype)) {
      if (info.dtype === 'F64')
        warnings.push(`${ref.name}: ${name}: F64 tensors are copied, not merged`);
      copies.push({
        kind: 'copy',
        name,
        shape: info.shape,
        dtype: info.dtype,
        from: refKey,
        reason: 'not a float tensor',
        bytes: info.end - info.begin,
      });
      continue;
    }
    for (const key of inputKeys.slice(1)) {
      const other = ckpt(key).tensors.get(name)?.info;
      if (!other)
        problems.push(`${ckpt(key).name}: tensor ${name} is missing (it is in ${ref.name})`);
      else if (JSON.stringify(other.shape) !== JSON.stringify(info.shape)) {
        problems.push(
          shapeMismatchProblem(ckpt(key).name, name, other.shape, ref.name, info.shape),
        );
      } else if (!isFloat(other.dtype)) {
        problems.push(
          `${ckpt(key).name}: tensor ${name} is ${other.dtype}; merged tensors must be F32, F16 or BF16`,
        );
      }
    }
    mergedNames.push(name);
  }

  const numLayers = countLayers(mergedNames);
  const seed = recipe.randomSeed ?? 0;
  const merges = new Map<string, MergeStep>();
  for (const name of mergedNames) {
    const info = ref.tensors.get(name)!.info;
    const numel = info.shape.reduce((a, b) => a * b, 1);
    const layerIndex = layerIndexOf(name);
    const resolved = resolveParams(recipe, name, layerIndex, numLayers);
    const built = buildJobTemplate(method, resolved, {
      name,
      shape: info.shape,
      numel,
      layerIndex,
      numLayers,
      seed,
      hasBase: baseKey !== undefined,
    });
    problems.push(...built.problems);
    if (!built.job) continue;
    const inputBytes = inputKeys.reduce((n, k) => {
      const i = ckpt(k).tensors.get(name)?.info;
      return n + (i ? i.end - i.begin : 0);
    }, 0);
    merges.set(name, {
      kind: 'merge',
      name,
      shape: info.shape,
      numel,
      outDtype: outDtype ?? (info.dtype as FloatDtype),
      inputs: inputKeys,
      job: built.job,
      inputBytes,
    });
  }

  if (
    method.requires2d &&
    merges.size > 0 &&
    ![...merges.values()].some((s) => s.shape.length === 2)
  ) {
    problems.push(
      `${ref.name}: ${method.name} merges weight matrices through their singular vectors, but none of the ${merges.size} merged tensors is 2-D (shapes such as ${JSON.stringify([...merges.values()][0]!.shape)})`,
    );
  }
  // Whole-model options cannot vary per tensor.
  const passes: PassKind[] = [];
  let modelScope: MergePlan['modelScope'];
  let needsMajoritySign = false;
  if (method.kind === 'task_arithmetic') {
    for (const key of ['trim_scope', 'zero_sign', 'elect'] as const) {
      if (Array.isArray(recipe.parameters[key]))
        problems.push(
          `parameters: "${key}" applies to the whole model; give one value, not a list`,
        );
    }
    const whole = resolveParams(recipe, '', null, numLayers);
    if (whole.global.trim_scope === 'model' && method.family?.sparsifier === 'magnitude') {
      const densities = whole.models.map((m, i) => {
        const own = recipe.models.find((r) => r.model === taskKeys[i])?.parameters.density;
        if (Array.isArray(own) || Array.isArray(recipe.parameters.density)) {
          problems.push(
            `model "${taskKeys[i]}": with trim_scope: model, "density" must be one number for the whole model`,
          );
        }
        return typeof m.density === 'number' ? m.density : 1;
      });
      const totalElements = [...merges.values()].reduce((n, s) => n + s.numel, 0);
      modelScope = { densities, totalElements };
      passes.push('magnitude_selection');
    }
    if (whole.global.zero_sign === 'majority' && method.family?.consensus !== 'none') {
      needsMajoritySign = true;
      passes.push('majority_sign');
    }
  }
  passes.push('merge');
  if (problems.length > 0) throw new MergePlanError(problems);
  applyComputeDtype(recipe, method.name, [...merges.values()], modelScope !== undefined, warnings);

  const steps: PlanStep[] = [...merges.values(), ...copies].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  if (merges.size === 0)
    warnings.push('no tensor is merged (every tensor is task-specific or not a float)');
  return {
    recipe,
    method,
    checkpoints,
    steps,
    passes,
    modelScope,
    needsMajoritySign,
    numLayers,
    warnings,
  };
}

async function planTaskSpecific(
  name: string,
  taskKeys: string[],
  baseKey: string | undefined,
  ckpt: (key: string) => MergeCheckpoint,
  problems: string[],
): Promise<CopyStep | undefined> {
  let holders = taskKeys.filter((k) => ckpt(k).tensors.has(name));
  if (holders.length === 0 && baseKey !== undefined) holders = [baseKey];
  const first = holders[0]!;
  const info = ckpt(first).tensors.get(name)!.info;
  if (holders.length > 1) {
    const bytes = await ckpt(first).readRaw(name);
    const differing: string[] = [];
    for (const k of holders.slice(1)) {
      const o = ckpt(k).tensors.get(name)!.info;
      const same =
        o.dtype === info.dtype &&
        JSON.stringify(o.shape) === JSON.stringify(info.shape) &&
        equalBytes(bytes, await ckpt(k).readRaw(name));
      if (!same) differing.push(ckpt(k).name);
    }
    if (differing.length > 0) {
      problems.push(
        `task-specific tensor ${name} differs between ${[ckpt(first).name, ...differing].join(', ')}: each task's head needs its own name (e.g. heads.<task>.…) to be kept`,
      );
      return undefined;
    }
  }
  return {
    kind: 'copy',
    name,
    shape: info.shape,
    dtype: info.dtype,
    from: first,
    reason: 'task-specific',
    bytes: tensorByteSize(info.dtype, info.shape),
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export { MergePlanError };
export type { MergePlan, MergeStep, CopyStep, PlanStep, PassKind, MergeCheckpoint };
