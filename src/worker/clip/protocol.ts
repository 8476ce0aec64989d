/**
 * The protocol entries of the "Your own CLIP models" page: a CLIP base (CLIPModel folder),
 * fine-tuned vision towers (CLIPVisionModel folders), one task (name, data, heads) per
 * fine-tune, evaluation of any of them or of any merge recipe, and CLIP AdaMerging. Merged
 * into the worker's `Methods`; every call is about one entry, so an error lands beside it.
 */
import type { Progress } from '../../core';
import type { Recipe } from '../../merge';
import type { AdaMergingOptions, AdaMergingResult, EvalEvent, StepEvent } from '../../adapt';
import type { CheckpointInput, CheckpointSummary, ComputeDevice } from '../protocol';
import type { ClipDemoInputs, ClipDemoProbe } from '../demo/clip-zoo';

/** A loaded CLIP checkpoint as the page lists it. */
export interface ClipModelSummary {
  id: string;
  /** Unique among loaded checkpoints: the name recipes use. */
  name: string;
  role: 'base' | 'finetune';
  /** `architectures[0]` of its config.json (CLIPModel, CLIPVisionModel, …). */
  architecture: string;
  parameterCount: number;
  /** Its row in the studio's checkpoint table (the main panels merge and score it too). */
  checkpoint: CheckpointSummary;
  /** What a merge of CLIP towers leaves as the base has it (the recipe's task-specific list). */
  unmerged: string[];
}

/** A task attached to a fine-tune: its data and its zero-shot head. */
export interface ClipTaskSummary {
  task: string;
  /** The folder or Parquet file read. */
  source: string;
  images: number;
  labelled: boolean;
  classNames: string[];
  /** Where the head came from. */
  head: 'class names' | 'heads file';
}

/** One row of the accuracy table. */
export interface ClipAccuracyRow {
  label: string;
  /** Task → accuracy in [0, 1] (a task missing when it was not scored). */
  accuracy: Record<string, number>;
  /** Task → images scored. */
  images: Record<string, number>;
  average: number;
  device: ComputeDevice;
}

/** What a CLIP AdaMerging run will hold on the device, and whether this adapter can. */
export interface ClipFootprintReport {
  /** One line: θ₀ + task vectors + activations = total; the largest buffer. */
  text: string;
  totalBytes: number;
  largestBufferBytes: number;
  /** The adapter's limit on one buffer, when tfjs runs on WebGPU. */
  limitBytes: number | null;
  /** Why the job cannot run here, or null. */
  problem: string | null;
}

export type ClipEvalTarget = 'zero-shot' | 'individuals' | { recipe: Recipe };

export interface ClipMethods {
  /** Whether the CLIP demo zoo is published next to the app (its clip-zoo.json only). */
  clipDemoProbe: {
    params: Record<string, never>;
    result: ClipDemoProbe;
    events: never;
  };
  /**
   * Fetches the published CLIP demo zoo (public/clip-zoo/clip-zoo.json and every file it lists)
   * as folder inputs; the page then loads them through the calls below, as dropped folders.
   */
  clipDemoFetch: {
    params: Record<string, never>;
    result: ClipDemoInputs;
    events: { type: 'progress'; progress: Progress };
  };
  clipLoadBase: {
    params: { input: CheckpointInput };
    result: ClipModelSummary;
    events: never;
  };
  clipAddFinetune: {
    params: { input: CheckpointInput };
    result: ClipModelSummary;
    events: never;
  };
  /** Attaches (or replaces) the task of a fine-tune; `heads` is a safetensors heads file. */
  clipAttachData: {
    params: { id: string; task: string; data: CheckpointInput; heads?: CheckpointInput };
    result: ClipTaskSummary;
    events: { type: 'progress'; progress: Progress };
  };
  /** Removes a fine-tune (or the base, which removes everything). */
  clipRemove: {
    params: { id: string };
    result: { removed: boolean };
    events: never;
  };
  /**
   * Per-task accuracy of the base through each task's head (`zero-shot`), of each fine-tune on
   * its own task (`individuals`), or of a recipe merged by the merge engine (its coefficients
   * and selections; task arithmetic stays on the device). `limit`: the first N images a task.
   */
  clipEvaluate: {
    params: { target: ClipEvalTarget; label: string; limit?: number };
    result: ClipAccuracyRow;
    events: { type: 'progress'; progress: Progress };
  };
  clipFootprint: {
    params: { options: AdaMergingOptions };
    result: ClipFootprintReport;
    events: never;
  };
  /**
   * CLIP AdaMerging on the attached tasks' images (`poolSize` a task kept for sampling); pause
   * through `adamergePause`. Ends with the learned merge exported through the merge engine
   * (its recipe, and the safetensors the engine writes from it) and its accuracy row.
   */
  clipAdamerge: {
    params: { options: AdaMergingOptions; poolSize?: number; limit?: number };
    result: {
      result: AdaMergingResult;
      row: ClipAccuracyRow;
      export: { fileName: string; bytes: Uint8Array; recipeYaml: string; configJson: string };
    };
    events:
      | { type: 'footprint'; footprint: ClipFootprintReport }
      | { type: 'step'; step: StepEvent }
      /** Every `evalEvery` steps (and after the last): the main panels' CLIP suite's scores. */
      | { type: 'eval'; eval: EvalEvent }
      | { type: 'progress'; progress: Progress };
  };
}
