/** A merge recipe: the mergekit YAML schema (subset) plus the studio's extras. */
import type { ParamValue } from '../methods/types';

/** A `{filter, value}` entry: the first entry whose filter is a substring of the tensor name
 * wins; an entry without filter matches every tensor (the fallback). */
export interface ConditionalSetting {
  filter?: string;
  value: ParamSetting;
}

/** Scalar, gradient (numbers, piecewise-linear over depth), or a list of conditionals. */
export type ParamSetting = ParamValue | number[] | ConditionalSetting[];

export type ParamSettings = Record<string, ParamSetting>;

export interface RecipeModel {
  /** Path (file or Hugging Face folder), relative to the recipe file, or an id. */
  model: string;
  parameters: ParamSettings;
}

/** One input of an output slice: layers [begin, end) of a model (mergekit InputSliceDefinition). */
export interface SliceSource {
  model: string;
  layerRange: [number, number];
}

export interface Recipe {
  mergeMethod: string;
  /**
   * mergekit's `slices` (layer stacking, passthrough only): output layers in order, each slice
   * one source. `models` then lists each source model once, so callers open them as usual.
   */
  slices?: SliceSource[][];
  /** mergekit's tokenizer_source: 'base', 'union' or a model key (planning/vocab.ts). */
  tokenizerSource?: string;
  baseModel?: string;
  models: RecipeModel[];
  parameters: ParamSettings;
  /**
   * mergekit's compute dtype (bfloat16 computes as mergekit does, src/merge/cpu/bf16.ts) and,
   * without outDtype, the written dtype.
   */
  dtype?: string;
  /** Studio extra (`merge_studio.compute_dtype: float32`): compute in f32 whatever `dtype` is. */
  computeDtype?: 'float32';
  outDtype?: string;
  randomSeed?: number;
  /**
   * Studio extra (`merge_studio.task_specific`): substrings of tensor names that are
   * task-specific (heads, decoders) and never merged.
   */
  taskSpecific: string[];
}

/** Thrown for a recipe that cannot be used; the message names the file and the key. */
export class RecipeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecipeError';
  }
}
