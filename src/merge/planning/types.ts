/** The data a merge plan is made of: per-tensor steps in output order, and the passes. */
import type { Checkpoint } from '../../io';
import type { Dtype, FloatDtype } from '../../io/types';
import type { TensorJob } from '../backend';
import type { MethodDefinition } from '../methods/types';
import type { Recipe } from '../recipe/types';

/** What the planner needs of a checkpoint (an io Checkpoint satisfies it). */
export type MergeCheckpoint = Pick<Checkpoint, 'name' | 'tensors' | 'readRaw'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A tensor job without its input bytes, which the executor reads when it runs the step. */
export type JobTemplate = DistributiveOmit<TensorJob, 'base' | 'models' | 'a' | 'b'>;

export interface MergeStep {
  kind: 'merge';
  name: string;
  shape: number[];
  numel: number;
  outDtype: FloatDtype;
  /** Recipe model keys of the inputs in job order: the base first when the method has one. */
  inputs: string[];
  job: JobTemplate;
  /** Bytes read for one pass over this step's inputs. */
  inputBytes: number;
}

/** A tensor written unchanged from one input (task-specific or non-float). */
export interface CopyStep {
  kind: 'copy';
  name: string;
  shape: number[];
  dtype: Dtype;
  from: string;
  reason: 'task-specific' | 'not a float tensor';
  bytes: number;
}

export type PlanStep = MergeStep | CopyStep;

export type PassKind = 'magnitude_selection' | 'majority_sign' | 'merge';

export interface MergePlan {
  recipe: Recipe;
  method: MethodDefinition;
  /** Recipe model key → checkpoint. */
  checkpoints: Map<string, MergeCheckpoint>;
  /** Sorted by tensor name (the output order). */
  steps: PlanStep[];
  passes: PassKind[];
  /** For trim_scope: model — per task model density and the merged element count N. */
  modelScope?: { densities: number[]; totalElements: number };
  /** Rule for an elected sign of 0 that needs the majority-sign pre-pass. */
  needsMajoritySign: boolean;
  numLayers: number;
  warnings: string[];
  /** What the output folder's config.json / tokenizer need beyond the source's copies. */
  output?: OutputChanges;
}

/** mergekit's edits of the output config (merge.py _model_out_config, _update_config_vocab). */
export interface OutputChanges {
  /** Stacked layers of `slices` (config.json's num_hidden_layers or the model's own key). */
  numLayers?: number;
  /** Rows of the re-indexed embeddings (config.json's vocab_size) for tokenizer_source. */
  vocabSize?: number;
  /** tokenizer_source's output tokenizer.json (built for union; else the source's file). */
  tokenizer?: unknown;
  /** Recipe key of the model whose tokenizer files are copied (union: the base they extend). */
  tokenizerFrom?: string;
  /** True when `tokenizer` was built here (union) and must be written, not copied. */
  tokenizerBuilt?: boolean;
}

/** Everything wrong with a recipe + inputs, found before any output is written. */
export class MergePlanError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`
        : '';
    super(`${problems[0] ?? 'invalid merge'}${more}`);
    this.name = 'MergePlanError';
    this.problems = problems;
  }
}
