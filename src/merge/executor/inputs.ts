/** Reads one step's inputs (once per pass) and turns its template into a full job. */
import type { FloatDtype } from '../../io/types';
import type { PcbTaskStats, RawTensor, TaskArithmeticJob, TensorJob } from '../backend';
import type { MergePlan, MergeStep } from '../planning/types';
import { chunkRowLength, isWholeTensor, type WorkUnit } from './chunking';
import { canReadRange, readElementRange } from './ranged-read';
import type { ReadBuffers } from './read-buffers';
import type { TensorStatistics } from './tensor-statistics';

export async function readInputs(plan: MergePlan, step: MergeStep): Promise<RawTensor[]> {
  return readUnitInputs(plan, { step, begin: 0, end: step.numel });
}

/**
 * The inputs of one work unit: whole tensors, or an element range of each (read in parallel;
 * into `buffers` when given and the source can — the caller hands them back once the unit is
 * done).
 */
export async function readUnitInputs(
  plan: MergePlan,
  unit: WorkUnit,
  buffers?: ReadBuffers,
): Promise<RawTensor[]> {
  const { step } = unit;
  const whole = isWholeTensor(unit);
  return Promise.all(
    step.inputs.map(async (key) => {
      const ckpt = plan.checkpoints.get(key)!;
      const dtype = ckpt.tensors.get(step.name)!.info.dtype as FloatDtype;
      const bytes =
        whole && !canReadRange(ckpt, step.name)
          ? await ckpt.readRaw(step.name)
          : await readElementRange(ckpt, step.name, unit.begin, unit.end, buffers);
      return { dtype, bytes };
    }),
  );
}

export interface RunState {
  thresholds?: number[];
  /** PCB with pcb_scope: model — the whole model's per-task bounds (cpu/pcb-model.ts). */
  pcbModel?: PcbTaskStats[];
  majoritySign: number;
}

/**
 * The job of a work unit: a chunk is a flat tensor of its own length (element-wise jobs only),
 * carrying its element offset and the whole tensor's statistics (tensor-statistics.ts).
 */
export function attachUnitInputs(
  unit: WorkUnit,
  raws: RawTensor[],
  state: RunState,
  statistics?: TensorStatistics,
): TensorJob {
  const job = attachInputs(unit.step, raws, state);
  if (isWholeTensor(unit)) return job;
  const numel = unit.end - unit.begin;
  // Chunks of per-row selections hold whole rows (stepUnits): keep the row length.
  const row = chunkRowLength(unit.step);
  const shape = row > 1 ? [numel / row, row] : [numel];
  const chunk = { numel, shape, splitRow: row };
  if (job.kind === 'slerp' && statistics?.slerp) {
    return { ...job, ...chunk, coefficients: statistics.slerp };
  }
  if (job.kind === 'model_stock' && statistics?.modelStockT !== undefined) {
    return { ...job, ...chunk, t: statistics.modelStockT };
  }
  // Without the whole tensor's coefficients a chunk would compute its own: not splittable.
  const selfContained =
    (job.kind !== 'slerp' && job.kind !== 'model_stock') ||
    (job.kind === 'model_stock' && job.filterWise);
  if (job.kind === 'tensor_method') {
    return {
      ...job,
      ...chunk,
      elementOffset: unit.begin,
      tensorShape: unit.step.shape,
      ...(statistics?.method ? { statistics: statistics.method } : {}),
    };
  }
  if (job.kind !== 'task_arithmetic') {
    return selfContained ? { ...job, ...chunk } : { ...job, numel, shape };
  }
  return {
    ...job,
    ...chunk,
    elementOffset: unit.begin,
    ...(statistics?.bands ? { tensorBands: statistics.bands } : {}),
    ...(statistics?.l1Factors ? { l1Factors: statistics.l1Factors } : {}),
  };
}

export function attachInputs(step: MergeStep, raws: RawTensor[], state: RunState): TensorJob {
  const job = step.job;
  switch (job.kind) {
    case 'task_arithmetic': {
      const full: TaskArithmeticJob = {
        ...job,
        base: raws[0]!,
        models: raws.slice(1),
        majoritySign: state.majoritySign,
      };
      if (state.thresholds) full.modelScopeThresholds = state.thresholds;
      return full;
    }
    case 'model_stock':
    case 'consensus':
      return { ...job, base: raws[0]!, models: raws.slice(1) };
    case 'linear':
      return { ...job, models: raws };
    case 'tensor_method':
      return {
        ...job,
        ...(job.hasBase ? { base: raws[0]!, models: raws.slice(1) } : { models: raws }),
        ...(state.pcbModel ? { pcbModel: state.pcbModel } : {}),
      };
    case 'slerp':
      return { ...job, a: raws[0]!, b: raws[1]! };
  }
}
