/**
 * Merge methods as data: every method declares its parameters (type, default, range, help)
 * so the UI's forms and the recipe validator are generated from the declarations.
 */
import type { Consensus, Sparsifier } from '../backend';

export type ParamType = 'number' | 'int' | 'boolean' | 'enum';
export type ParamValue = number | boolean | string;

export interface ParamSpec {
  name: string;
  type: ParamType;
  /** null: unset unless the recipe sets it (e.g. `disjoint`, sugar over `normalize`). */
  default: ParamValue | null;
  /** Hard limits, checked by the validator (inclusive). */
  min?: number;
  max?: number;
  /** Slider range and step for the UI (defaults to min/max). */
  sliderMin?: number;
  sliderMax?: number;
  step?: number;
  options?: readonly string[];
  help: string;
  /**
   * mergekit does not know this parameter; the recipe writer stores it under the top-level
   * `merge_studio:` key so mergekit ignores it.
   */
  studioOnly?: boolean;
}

export type MethodKind =
  | 'task_arithmetic'
  | 'linear'
  | 'slerp'
  | 'model_stock'
  | 'consensus'
  /** A whole-tensor method of the catalogue, computed by src/merge/cpu/tensor-methods.ts. */
  | 'tensor_method';

/** Settings of the generalized task-arithmetic engine (the METHODS.md family table). */
export interface FamilySettings {
  consensus: Consensus;
  sparsifier: Sparsifier;
}

export interface MethodDefinition {
  name: string;
  prettyName: string;
  paper: string | null;
  description: string;
  kind: MethodKind;
  family?: FamilySettings;
  /** True when a base model (θ₀) is required. */
  needsBase: boolean;
  /**
   * The method takes a base model when the recipe names one (mergekit's nuslerp and
   * multislerp: task vectors from it), and plain models otherwise (recipe/resolve usesBase).
   */
  optionalBase?: boolean;
  /** Number of non-base models allowed. */
  minModels: number;
  maxModels?: number;
  globalParams: ParamSpec[];
  modelParams: ParamSpec[];
  /**
   * The method works on weight matrices (SVD merges): other tensors get a fallback (the
   * mean task vector), and a model without any 2-D merged tensor is refused.
   */
  requires2d?: boolean;
  /** mergekit has no such method: a recipe using it cannot run there (studio-only). */
  studioOnly?: boolean;
}
