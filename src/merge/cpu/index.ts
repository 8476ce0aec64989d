/**
 * The CPU reference backend: plain TypeScript with f32 semantics. The WebGPU kernels are
 * tested against it on the same jobs.
 */
import type { MergeBackend, TaskArithmeticJob, TensorJob, TensorResult } from '../backend';
import { mergeLinear } from './linear';
import { CpuMagnitudeSelector } from './magnitude-selector';
import { mergeModelStock } from './model-stock';
import { mergeSlerp } from './slerp';
import { F32Scratch } from './scratch';
import { mergeConsensus } from './tall';
import { taskArithmeticResult, taskArithmeticSignSum } from './task-arithmetic';
import { mergeTensorMethod } from './tensor-methods';

/** `scratch`: storage reused from job to job for the per-model deltas (the backend's own). */
export function mergeTensorCpu(job: TensorJob, scratch?: F32Scratch): TensorResult {
  switch (job.kind) {
    case 'task_arithmetic':
      return taskArithmeticResult(job, scratch);
    case 'linear':
      return { merged: mergeLinear(job) };
    case 'slerp':
      return { merged: mergeSlerp(job) };
    case 'model_stock':
      return { merged: mergeModelStock(job) };
    case 'consensus':
      return mergeConsensus(job);
    case 'tensor_method':
      return mergeTensorMethod(job);
  }
}

export function createCpuBackend(): MergeBackend {
  const scratch = new F32Scratch();
  return {
    name: 'cpu',
    mergeTensor: (job: TensorJob) => Promise.resolve(mergeTensorCpu(job, scratch)),
    electedSignSum: (job: TaskArithmeticJob) =>
      Promise.resolve(taskArithmeticSignSum(job, scratch)),
    createMagnitudeSelector: (densities, total, candidateBytes) =>
      new CpuMagnitudeSelector(densities, total, candidateBytes),
    dispose: () => scratch.clear(),
  };
}

export { CpuMagnitudeSelector } from './magnitude-selector';
export { f16BitsToNumber, bf16BitsToNumber, unpackToF32, taskVector, rowLength } from './unpack';
export { sparsify, type SparsifyOptions } from './sparsify';
export { electedSign, electionSum } from './consensus';
export { slerpCoefficients, SLERP_DOT_THRESHOLD } from './slerp';
export { modelStockT, meanPairwiseCosine } from './model-stock';
export { mergeTaskArithmetic, taskArithmeticSignSum, weightedDeltas } from './task-arithmetic';
