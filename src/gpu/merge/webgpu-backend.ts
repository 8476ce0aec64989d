import type { GpuContext } from '../adapter';
import {
  type MergeBackend,
  type TaskArithmeticJob,
  type TensorJob,
  type TensorResult,
  CpuMagnitudeSelector,
  mergeTensorCpu,
  consensusDivisorMayBeTiny,
  withExactBands,
} from '../../merge';
import { GpuRuntime } from '../runtime/runtime';
import { GpuMagnitudeSelector } from './magnitude-selector';
import { gpuConsensus, gpuLinear, gpuModelStock, gpuSlerp } from './other-merges';
import { TaskArithmeticRun } from './task-arithmetic';
import { gpuTensorMethod } from './tensor-methods';

export interface WebGpuBackendOptions {
  /**
   * Cap on the bytes of one storage binding (default: the device's limit, 128 MiB on the
   * compatibility adapter). Tests lower it to exercise chunking on small tensors.
   */
  maxBindingBytes?: number;
  /** Record per-phase wall-clock times in `runtime.phases` (drains the queue between phases). */
  profile?: boolean;
  /**
   * Where model-scope magnitude selection (TIES `trim_scope: model`) runs; both give the same
   * thresholds (exact radix selects). `gpu`: two radix passes on the device (every byte is
   * uploaded twice more). `cpu`: the CPU reference's selector (SIMD histogram kernel, one read
   * when its candidate band covers the threshold). `auto` (default): `cpu` on a compatibility
   * or fallback adapter — the adapter choice (adapter.ts) only ends there without a good core
   * adapter, i.e. on software rasterisers (lavapipe: the "GPU" is the same CPU cores, where
   * the selection took 2–3× the whole merge) or old hardware — else `gpu`.
   */
  selection?: 'auto' | 'gpu' | 'cpu';
  /**
   * Vectorised kernels (4 elements per invocation, ta_vec4.wgsl) for the TA/TIES jobs they
   * cover (default true; false runs the scalar ta.wgsl merge, for comparisons).
   */
  vectorKernels?: boolean;
  /**
   * Elements per streamed chunk (default: the executor's, 2^19). A chunk's packed inputs live
   * on the device as well as in the read buffers, two chunks in flight; on software adapters
   * device memory is host memory, so 2^18 takes ≈ 40 MiB off Node's peak RSS — but, measured
   * on a quiet machine, makes TIES model scope 1.6× slower (5.6× read instead of 3.3–3.7×),
   * so it is not the default.
   */
  chunkElements?: number;
}

/**
 * Candidate band of the CPU selector beside a WebGPU device: a quarter of the CPU backend's
 * 64 MiB, since Dawn and the device's host-memory buffers already take ≈ 160 MiB of the
 * process; a band that misses the threshold's bin costs a second read, never a wrong value.
 */
export const HOST_SELECTOR_CANDIDATE_BYTES = 16 * 1024 * 1024;

/** The selector placement `auto` stands for on this adapter. */
export function selectionPlacement(
  ctx: GpuContext,
  selection: WebGpuBackendOptions['selection'] = 'auto',
): 'gpu' | 'cpu' {
  if (selection !== 'auto') return selection;
  return ctx.info.featureLevel === 'compatibility' || ctx.info.fallback ? 'cpu' : 'gpu';
}

/**
 * The merge backend on WebGPU: same jobs, same numbers as the CPU reference
 * (src/merge/cpu). Jobs run one at a time on the shared device; a lost device or an
 * uncaptured GPU error fails the next job instead of returning wrong numbers.
 */
export function createWebGpuBackend(
  ctx: GpuContext,
  options: WebGpuBackendOptions = {},
): MergeBackend & { runtime: GpuRuntime } {
  const rt = new GpuRuntime(ctx, options.maxBindingBytes);
  rt.profiling = options.profile ?? false;
  rt.vectorKernels = options.vectorKernels ?? true;
  const placement = selectionPlacement(ctx, options.selection);
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(() => {
      rt.watch.check();
      return work();
    });
    queue = next.catch(() => undefined);
    return next.then((value) => {
      rt.watch.check();
      return value;
    });
  };

  async function mergeTensor(job: TensorJob): Promise<TensorResult> {
    // mergekit's bf16 compute has no WGSL kernels: the CPU reference computes it.
    if (job.computeDtype === 'BF16') return mergeTensorCpu(job);
    // The WGSL kernels guard a consensus divisor at 1e-8; mergekit's exact-zero guard for
    // tiny weights (divisor.ts) is the CPU reference's.
    if (job.kind === 'task_arithmetic' && consensusDivisorMayBeTiny(job))
      return mergeTensorCpu(job);
    switch (job.kind) {
      case 'task_arithmetic': {
        // mergekit's exactly-k trims: the bands' cut indices are tested in the WGSL band keep
        // (one run per job; ranges per cut, as the CPU runs them, cost ~100 MiB per 2 GB merge).
        const run = new TaskArithmeticRun(rt, withExactBands(job));
        try {
          return await run.merge();
        } finally {
          await run.dispose();
        }
      }
      case 'linear':
        return { merged: await gpuLinear(rt, job) };
      case 'slerp':
        return { merged: await gpuSlerp(rt, job) };
      case 'model_stock':
        return { merged: await gpuModelStock(rt, job) };
      case 'consensus':
        return gpuConsensus(rt, job);
      case 'tensor_method':
        return gpuTensorMethod(rt, job);
    }
  }

  return {
    name: 'webgpu',
    runtime: rt,
    chunkElements: options.chunkElements,
    mergeTensor: (job) => serial(() => mergeTensor(job)),
    electedSignSum: (job: TaskArithmeticJob) =>
      serial(async () => {
        const run = new TaskArithmeticRun(rt, withExactBands(job));
        try {
          return await run.signSum();
        } finally {
          await run.dispose();
        }
      }),
    createMagnitudeSelector(densities, totalElements, candidateBytes) {
      if (placement === 'cpu')
        return new CpuMagnitudeSelector(
          densities,
          totalElements,
          candidateBytes ?? HOST_SELECTOR_CANDIDATE_BYTES,
        );
      const selector = new GpuMagnitudeSelector(rt, densities, totalElements);
      return {
        add: (model, base, tuned) => serial(() => selector.add(model, base, tuned)),
        addAll: (base, models) => serial(() => selector.addAll(base, models)),
        closePass: () => serial(() => selector.closePass()),
        needsAnotherPass: () => selector.needsAnotherPass(),
        thresholds: () => selector.thresholds(),
      };
    },
    dispose: () => rt.dispose(),
  };
}
