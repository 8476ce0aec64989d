/**
 * The catalogue's whole-tensor methods on the WebGPU backend. CART, whose cost is the
 * randomised top-k SVDs of big matrices, runs its steps with the range finder's products on
 * the device (matmul.ts); everything else — the small dense SVDs, the exact SVDs TSV-M and
 * Iso-CTS ask for (svd-merges.ts SvdRequest.exact), Iso-C's full SVD and the other methods —
 * is the CPU reference's code, so those results are the CPU's bit for bit.
 */
import type { TensorMethodJob, TensorResult } from '../../merge';
import { mergeTensorCpu } from '../../merge';
import { topSvdWith } from '../../merge';
import { cartSteps, type SvdSteps } from '../../merge';
import type { Svd } from '../../merge';
import { methodInputs } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { GpuMatrix } from './matmul';

const DEVICE_STEPS: Record<string, SvdSteps> = { cart: cartSteps };

export async function gpuTensorMethod(rt: GpuRuntime, job: TensorMethodJob): Promise<TensorResult> {
  const steps = DEVICE_STEPS[job.method];
  if (!steps) return mergeTensorCpu(job);
  const run = steps(job, methodInputs(job));
  let step = run.next(undefined as unknown as Svd);
  while (!step.done) {
    const { a, k, seed, exact } = step.value;
    const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
    const options = { seed, ...(exact ? { exactMaxRank: Infinity } : {}) };
    const svd = await topSvdWith(a, k, () => new GpuMatrix(rt, data, a.rows, a.cols), options);
    step = run.next(svd);
  }
  return { merged: step.value };
}
