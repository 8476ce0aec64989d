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
import type { MergePlan, MergeStep, PlanStep } from '../planning/types';
import { recipeToYaml } from '../recipe/serialize';
import { attachInputs, readInputs, type RunState } from './inputs';
import { isSinkFolder, openOutput, type MergeOutput } from './output';

export interface ExecuteOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Overrides every merged tensor's output dtype. */
  outDtype?: FloatDtype;
  maxShardBytes?: number;
  /**
   * Consensus (TALL) only: one output per task model, receiving its compressed model
   * θ₀ + mₜ⊙τ_MTL (merged tensors), its own task-specific tensors and the non-float copies.
   */
  taskModelOutputs?: (SinkFolder | ByteSink)[];
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

async function abortTargets(targets: (SinkFolder | ByteSink)[]): Promise<void> {
  for (const t of targets) if (!isSinkFolder(t)) await t.abort().catch(() => undefined);
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

  const recipeYaml = recipeToYaml(plan.recipe);
  const taskKeys = merges[0]?.inputs.slice(1) ?? [];
  const taskTargets = options.taskModelOutputs ?? [];
  if (
    taskTargets.length > 0 &&
    (plan.method.kind !== 'consensus' || taskTargets.length !== taskKeys.length)
  ) {
    await abortTargets([target, ...taskTargets]);
    throw new Error(
      `compressed task models need a consensus merge and one output per task model (${taskKeys.length}), got ${taskTargets.length} for ${plan.method.name}`,
    );
  }
  // Each task output holds the merged tensors, the non-float copies and its own heads.
  const inTask = (step: PlanStep, t: number) =>
    step.kind === 'merge' || step.reason !== 'task-specific' || step.from === taskKeys[t];
  const outputs: MergeOutput[] = [];
  try {
    outputs.push(openOutput(target, specs, recipeYaml, options.maxShardBytes));
    taskTargets.forEach((tt, t) => {
      const taskSpecs = specs.filter((_, i) => inTask(plan.steps[i]!, t));
      outputs.push(openOutput(tt, taskSpecs, recipeYaml, options.maxShardBytes));
    });
  } catch (e) {
    await abortTargets([target, ...taskTargets]);
    throw e;
  }
  const output = outputs[0]!;
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
        await selector.closePass?.();
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
        if (job.kind === 'consensus' && taskTargets.length > 0) job.emitTaskModels = true;
        const result = await backend.mergeTensor(job);
        if (result.merged.length !== step.numel) {
          throw new Error(
            `${step.name}: the ${backend.name} backend returned ${result.merged.length} values, expected ${step.numel}`,
          );
        }
        nonFinite += countNonFinite(result.merged);
        bytes = encodeF32As(dtypeOf(step), result.merged);
        for (let t = 0; t < taskTargets.length; t++) {
          const values = result.taskModels?.[t];
          if (!values || values.length !== step.numel) {
            throw new Error(
              `${step.name}: the ${backend.name} backend returned no task model ${t}`,
            );
          }
          await outputs[t + 1]!.writeTensor(step.name, encodeF32As(dtypeOf(step), values));
        }
        progress.advance(1, step.inputBytes);
      }
      if (step.kind === 'copy') {
        for (let t = 0; t < taskTargets.length; t++) {
          if (inTask(step, t)) await outputs[t + 1]!.writeTensor(step.name, bytes);
        }
      }
      await output.writeTensor(step.name, bytes);
      bytesWritten += bytes.length;
    }
    throwIfAborted(options.signal);
    for (const o of outputs) await o.finish();
  } catch (e) {
    await Promise.all(outputs.map((o) => o.abort(e)));
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
