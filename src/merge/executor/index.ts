/**
 * executeMerge: streams the plan's passes over the inputs — model-scope magnitude selection
 * (2 radix passes), the majority-sign pass, then the merge pass that writes tensors in order.
 * Memory stays bounded by one tensor and its inputs. Cancellation (AbortSignal) or any error
 * aborts the output, so no partial model remains.
 */
import { progressReporter, type ProgressCallback } from '../../core/progress';
import { encodeF32As } from '../../io/encode';
import type { ByteSink, FloatDtype, SinkFolder } from '../../io/types';
import type { MergeBackend, TaskArithmeticJob } from '../backend';
import { taskArithmeticSignSum } from '../cpu/task-arithmetic';
import type { MergePlan, MergeStep } from '../planning/types';
import { recipeToYaml } from '../recipe/serialize';
import { attachInputs, readInputs, type RunState } from './inputs';
import { openOutput, type MergeOutput } from './output';

export interface ExecuteOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Overrides every merged tensor's output dtype. */
  outDtype?: FloatDtype;
  maxShardBytes?: number;
}

export interface MergeSummary {
  tensors: number;
  merged: number;
  copied: number;
  bytesWritten: number;
  /** NaN / ±Inf values in the merged tensors (0 for sane inputs). */
  nonFinite: number;
  seconds: number;
  thresholds?: number[];
  majoritySign?: number;
}

function countNonFinite(values: Float32Array): number {
  let n = 0;
  for (const v of values) if (!Number.isFinite(v)) n++;
  return n;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error
      ? signal.reason
      : new DOMException('merge cancelled', 'AbortError');
  }
}

export async function executeMerge(
  plan: MergePlan,
  backend: MergeBackend,
  target: SinkFolder | ByteSink,
  options: ExecuteOptions = {},
): Promise<MergeSummary> {
  const started = performance.now();
  const merges = plan.steps.filter((s): s is MergeStep => s.kind === 'merge');
  const dtypeOf = (s: MergeStep) => options.outDtype ?? s.outDtype;
  const specs = plan.steps.map((s) => ({
    name: s.name,
    shape: s.shape,
    dtype: s.kind === 'merge' ? dtypeOf(s) : s.dtype,
  }));
  const preBytes = merges.reduce((n, s) => n + s.inputBytes, 0);
  const selectionPasses = plan.passes.includes('magnitude_selection') ? 2 : 0;
  const signPasses = plan.passes.includes('majority_sign') ? 1 : 0;
  const mergeBytes = plan.steps.reduce(
    (n, s) => n + (s.kind === 'merge' ? s.inputBytes : s.bytes),
    0,
  );
  const progress = progressReporter(
    'merge',
    merges.length * (selectionPasses + signPasses) + plan.steps.length,
    options.onProgress,
    { totalBytes: preBytes * (selectionPasses + signPasses) + mergeBytes },
  );

  const output: MergeOutput = openOutput(
    target,
    specs,
    recipeToYaml(plan.recipe),
    options.maxShardBytes,
  );
  const state: RunState = { majoritySign: 0 };
  let bytesWritten = 0;
  let nonFinite = 0;
  try {
    if (plan.modelScope) {
      const { densities, totalElements } = plan.modelScope;
      const selector = backend.createMagnitudeSelector(densities, totalElements);
      do {
        for (const step of merges) {
          throwIfAborted(options.signal);
          const raws = await readInputs(plan, step);
          for (let m = 1; m < raws.length; m++) await selector.add(m - 1, raws[0]!, raws[m]!);
          progress.advance(1, step.inputBytes);
        }
      } while (selector.needsAnotherPass());
      state.thresholds = selector.thresholds();
    }
    if (plan.needsMajoritySign) {
      let total = 0;
      for (const step of merges) {
        throwIfAborted(options.signal);
        const job = attachInputs(step, await readInputs(plan, step), state) as TaskArithmeticJob;
        total += backend.electedSignSum
          ? await backend.electedSignSum(job)
          : taskArithmeticSignSum(job);
        progress.advance(1, step.inputBytes);
      }
      state.majoritySign = Math.sign(total);
    }
    for (const step of plan.steps) {
      throwIfAborted(options.signal);
      let bytes: Uint8Array;
      if (step.kind === 'copy') {
        bytes = await plan.checkpoints.get(step.from)!.readRaw(step.name);
        progress.advance(1, step.bytes);
      } else {
        const job = attachInputs(step, await readInputs(plan, step), state);
        const result = await backend.mergeTensor(job);
        if (result.merged.length !== step.numel) {
          throw new Error(
            `${step.name}: the ${backend.name} backend returned ${result.merged.length} values, expected ${step.numel}`,
          );
        }
        nonFinite += countNonFinite(result.merged);
        bytes = encodeF32As(dtypeOf(step), result.merged);
        progress.advance(1, step.inputBytes);
      }
      await output.writeTensor(step.name, bytes);
      bytesWritten += bytes.length;
    }
    throwIfAborted(options.signal);
    await output.finish();
  } catch (e) {
    await output.abort(e);
    throw e;
  }
  progress.finish();
  return {
    tensors: plan.steps.length,
    merged: merges.length,
    copied: plan.steps.length - merges.length,
    bytesWritten,
    nonFinite,
    seconds: (performance.now() - started) / 1000,
    ...(state.thresholds ? { thresholds: state.thresholds } : {}),
    ...(plan.needsMajoritySign ? { majoritySign: state.majoritySign } : {}),
  };
}

export { RECIPE_FILE_NAME, RECIPE_METADATA_KEY } from './output';
