/**
 * The catalogue's whole-tensor methods on the WebGPU backend. The SVD merges (TSV-M, Iso-C,
 * Iso-CTS, CART) run their steps (svd-merges.ts) with each SVD's O(m·n·r) products on the
 * device: exact SVDs of matrices whose short side is above GRAM_MIN_RANK through
 * exact-svd.ts, randomised top-k SVDs (CART at low rank) with the range finder's products
 * on the device (matmul.ts, compensated as the exact path's step 2). Small SVDs, the methods' own dense steps (polar factors,
 * reconstructions) and the other methods are the CPU reference's code, so for small tensors
 * the results are the CPU's bit for bit.
 */
import type { SvdRequest, TensorMethodJob, TensorResult } from '../../merge';
import { mergeTensorCpu } from '../../merge';
import { GRAM_MIN_RANK, topSvd, topSvdPlan, topSvdWith } from '../../merge';
import { cartSteps, isoCSteps, isoCtsSteps, tsvMSteps, type SvdSteps } from '../../merge';
import type { Mat, MatrixProducts, Svd, Values } from '../../merge';
import { methodInputs } from '../../merge';
import type { GpuRuntime } from '../runtime/runtime';
import { gpuExactSvd } from './exact-svd';
import { GpuMatrix } from './matmul';

const DEVICE_STEPS: Record<string, SvdSteps> = {
  cart: cartSteps,
  iso_c: isoCSteps,
  iso_cts: isoCtsSteps,
  tsv_m: tsvMSteps,
};

export async function gpuTensorMethod(rt: GpuRuntime, job: TensorMethodJob): Promise<TensorResult> {
  const steps = DEVICE_STEPS[job.method];
  if (!steps) return mergeTensorCpu(job);
  const run = steps(job, methodInputs(job));
  let step = run.next(undefined as unknown as Svd);
  while (!step.done) step = run.next(await deviceSvd(rt, step.value));
  return { merged: step.value };
}

/** One SVD request answered with device products where they pay (see the file comment). */
export async function deviceSvd(rt: GpuRuntime, { a, k, seed, exact }: SvdRequest): Promise<Svd> {
  const options = { seed, ...(exact ? { exactMaxRank: Infinity } : {}) };
  const plan = topSvdPlan(a.rows, a.cols, k, options);
  const big = Math.min(a.rows, a.cols) > GRAM_MIN_RANK;
  if (plan.k === 0 || (plan.exact && !big)) return topSvd(a, k, options);
  // The exact path keeps a float64 a's rounding to f32 (Iso-C's Σₜτₜ, Iso-CTS's residuals):
  // the methods that weigh every tail direction amplify it by σ₁/σᵢ.
  if (plan.exact) return gpuExactSvd(rt, a, plan.k);
  return topSvdWith(a, k, () => compensatedProducts(rt, a), options);
}

/**
 * The range finder's a·x and aᵀ·y with the exact path's compensated products (matmul.ts):
 * a float64 a (CART's centred θₜ − θ_avg) kept as f32 pairs, x and y split, sums with their
 * errors. The CPU's range finder multiplies in float64 throughout; with plain f32 products
 * CART's randomised low rank differed from it by 1.1e-6 of its scale (tensor-methods.spec.ts).
 */
function compensatedProducts(
  rt: GpuRuntime,
  a: Mat<Values>,
): MatrixProducts<Promise<Mat>> & {
  dispose(): Promise<void>;
} {
  const m = new GpuMatrix(rt, a.data, a.rows, a.cols, true);
  return {
    rows: a.rows,
    cols: a.cols,
    times: (x) => m.times(x, true),
    transposeTimes: (y) => m.transposeTimes(y, true),
    dispose: () => m.dispose(),
  };
}
