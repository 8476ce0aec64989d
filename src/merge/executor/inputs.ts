/** Reads one step's inputs (once per pass) and turns its template into a full job. */
import type { FloatDtype } from '../../io/types';
import type { RawTensor, TaskArithmeticJob, TensorJob } from '../backend';
import type { MergePlan, MergeStep } from '../planning/types';

export async function readInputs(plan: MergePlan, step: MergeStep): Promise<RawTensor[]> {
  const raws: RawTensor[] = [];
  for (const key of step.inputs) {
    const ckpt = plan.checkpoints.get(key)!;
    const entry = ckpt.tensors.get(step.name)!;
    raws.push({ dtype: entry.info.dtype as FloatDtype, bytes: await ckpt.readRaw(step.name) });
  }
  return raws;
}

export interface RunState {
  thresholds?: number[];
  majoritySign: number;
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
    case 'slerp':
      return { ...job, a: raws[0]!, b: raws[1]! };
  }
}
