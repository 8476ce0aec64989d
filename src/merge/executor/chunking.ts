/**
 * Which merge steps may be streamed in element ranges, and the work units of a pass.
 *
 * A job is chunkable when every output element depends only on the same element of the
 * inputs and on scalars the executor already knows: task arithmetic without a sparsifier or
 * with model-scope magnitude thresholds (TIES with trim_scope: model) and no l1 rescale,
 * linear, and consensus (TALL). Per-tensor or per-row selections, DARE/DELLA (their random
 * streams are indexed by the flat element index), l1 rescale, slerp and Model Stock need the
 * whole tensor and get one unit per tensor.
 */
import type { MergePlan, MergeStep } from '../planning/types';
import { canReadRange } from './ranged-read';

/** Elements per chunk: 9 f32 inputs × 2 MiB, read one chunk ahead (≈ 36 MiB of inputs in flight). */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 19;

export interface WorkUnit {
  step: MergeStep;
  /** Element range [begin, end) of the step's tensor. */
  begin: number;
  end: number;
}

export function isElementwise(plan: MergePlan, step: MergeStep, taskOutputs: boolean): boolean {
  const job = step.job;
  switch (job.kind) {
    case 'task_arithmetic':
      if (job.sparsifier === 'none') return true;
      return (
        job.sparsifier === 'magnitude' && plan.modelScope !== undefined && job.rescale !== 'l1'
      );
    case 'linear':
      return true;
    case 'consensus':
      return !taskOutputs;
    case 'slerp':
    case 'model_stock':
      return false;
  }
}

function rangeable(plan: MergePlan, step: MergeStep): boolean {
  return step.inputs.every((key) => canReadRange(plan.checkpoints.get(key)!, step.name));
}

/** The units of one step: element chunks when `elementwise` allows it, else the whole tensor. */
export function stepUnits(
  plan: MergePlan,
  step: MergeStep,
  elementwise: boolean,
  chunkElements: number,
): WorkUnit[] {
  if (!elementwise || step.numel <= chunkElements || !rangeable(plan, step)) {
    return [{ step, begin: 0, end: step.numel }];
  }
  const units: WorkUnit[] = [];
  for (let begin = 0; begin < step.numel; begin += chunkElements) {
    units.push({ step, begin, end: Math.min(begin + chunkElements, step.numel) });
  }
  return units;
}

export const isWholeTensor = (u: WorkUnit) => u.begin === 0 && u.end === u.step.numel;
