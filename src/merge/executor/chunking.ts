/**
 * Which merge steps may be streamed in element ranges, and the work units of a pass.
 *
 * A job is chunkable when every output element depends only on the same element of the
 * inputs and on scalars the executor knows before the pass: task arithmetic with no
 * sparsifier, a magnitude trim (model scope, or per tensor / Breadcrumbs bands that
 * tensor-statistics.ts selects over the chunks first), DARE's random drop (chunks carry their
 * element offset) and any rescale (l1 factors from tensor-statistics.ts), linear, and
 * consensus (TALL), slerp and Model Stock (coefficients from whole-tensor sums in the same
 * statistics pass). Per-row selections (row-wise trims and Breadcrumbs, DELLA's ranks,
 * filter-wise Model Stock) stream in chunks of whole rows. The catalogue's streamed methods
 * (cpu/streamed-methods.ts: multislerp, SCE, RAM, RAM+, nearswap, passthrough, EMR, Karcher,
 * NuSLERP, arcee_fusion) are element-wise once their whole-tensor sums are read (per-row and
 * per-column sums and order statistics included).
 */
import type { MergePlan, MergeStep } from '../planning/types';
import { rowLength } from '../cpu/unpack';
import { canReadRange } from './ranged-read';
import { streamedMethod } from '../cpu/tensor-methods';

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
    // bf16 compute too: its trims and l1 sums are selected over the chunks' bf16 deltas.
    case 'task_arithmetic':
    case 'linear':
      return true;
    case 'consensus':
      return !taskOutputs;
    case 'slerp':
    case 'model_stock':
      return true;
    case 'tensor_method':
      // The streamed catalogue methods: whole-tensor sums from tensor-statistics.ts.
      return streamedMethod(job) !== undefined;
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
  const row = chunkRowLength(step);
  // Chunks of whole rows: as many rows as fit chunkElements (a longer row is a whole tensor).
  const size = Math.floor(chunkElements / row) * row;
  if (!elementwise || step.numel <= size || size === 0 || !rangeable(plan, step)) {
    return [{ step, begin: 0, end: step.numel }];
  }
  const units: WorkUnit[] = [];
  for (let begin = 0; begin < step.numel; begin += size) {
    units.push({ step, begin, end: Math.min(begin + size, step.numel) });
  }
  return units;
}

/**
 * The row length a step's chunks must respect: the last dimension for per-row selections
 * (row-wise trims and bands, DELLA's ranks, filter-wise Model Stock), else 1.
 */
export function chunkRowLength(step: MergeStep): number {
  const job = step.job;
  if (job.kind === 'model_stock') return job.filterWise ? rowLength(step.shape, step.numel) : 1;
  if (job.kind !== 'task_arithmetic') return 1;
  const perRow = job.sparsifier === 'della_magprune' || (job.rowWise && job.sparsifier !== 'none');
  return perRow ? rowLength(step.shape, step.numel) : 1;
}

export const isWholeTensor = (u: WorkUnit) => u.begin === 0 && u.end === u.step.numel;
