/**
 * Which merge steps may be streamed in element ranges, and the work units of a pass.
 *
 * A job is chunkable when every output element depends only on the same element of the
 * inputs and on scalars the executor knows before the pass: task arithmetic with no
 * sparsifier, a magnitude trim (model scope, or per tensor / Breadcrumbs bands that
 * tensor-statistics.ts selects over the chunks first), DARE's random drop (chunks carry their
 * element offset) and any rescale (l1 factors from tensor-statistics.ts), linear, and
 * consensus (TALL). Per-row selections (row-wise Breadcrumbs, DELLA), slerp and Model Stock
 * need the whole tensor and get one unit per tensor.
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

export function isElementwise(_plan: MergePlan, step: MergeStep, taskOutputs: boolean): boolean {
  const job = step.job;
  switch (job.kind) {
    case 'task_arithmetic':
      if (job.sparsifier === 'none') return true;
      return !job.rowWise && job.sparsifier !== 'della_magprune';
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
