/**
 * executeMerge: streams the plan's passes over the inputs — model-scope magnitude selection
 * (2 radix passes), the majority-sign pass, then the merge pass that writes tensors in order.
 * Element-wise jobs stream in chunks of element ranges (chunking.ts), others one tensor at a
 * time; the next unit's inputs are read while the current one computes (prefetch.ts). Memory:
 * two units' inputs plus one output tensor. Cancellation (AbortSignal) or any error
 * aborts the output, so no partial model remains.
 */
import { progressReporter, type ProgressCallback } from '../../core';
import { encodeF32As } from '../../io';
import type { ByteSink, FloatDtype, SinkFolder } from '../../io/types';
import type { MergeBackend, RawTensor, TaskArithmeticJob, TensorMethodJob } from '../backend';
import { mergeTensorCpu } from '../cpu/index';
import { pcbModelStats } from '../cpu/pcb-model';
import { taskArithmeticSignSum } from '../cpu/task-arithmetic';
import type { CopyStep, MergePlan, MergeStep, PlanStep } from '../planning/types';
import { recipeToYaml } from '../recipe/serialize';
import {
  DEFAULT_CHUNK_ELEMENTS,
  isElementwise,
  isWholeTensor,
  stepUnits,
  type WorkUnit,
} from './chunking';
import { attachInputs, attachUnitInputs, readUnitInputs, type RunState } from './inputs';
import { prefetchOneAhead } from './prefetch';
import { ReadBuffers } from './read-buffers';
import {
  statisticsNeeded,
  statisticsPasses,
  tensorStatistics,
  type TensorStatistics,
} from './tensor-statistics';
import { ModulatorWriter } from './modulators';
import { isSinkFolder, openOutput, type MergeOutput } from './output';

export interface ExecuteOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Overrides every merged tensor's output dtype. */
  outDtype?: FloatDtype;
  maxShardBytes?: number;
  /** Elements per chunk when streaming element-wise merges (default: the backend's, else 2^19). */
  chunkElements?: number;
  /**
   * Consensus (TALL) only: one output per task model, receiving its compressed model
   * θ₀ + mₜ⊙τ_MTL (merged tensors), its own task-specific tensors and the non-float copies.
   */
  taskModelOutputs?: (SinkFolder | ByteSink)[];
  /** EMR only: one safetensors file of per-task masks and rescalers (modulators.ts). */
  modulatorOutput?: ByteSink;
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
  /** EMR with a modulator output: the per-task rescalers written there. */
  emrRescalers?: number[];
}

function countNonFinite(values: Float32Array): number {
  let n = 0;
  // v − v is NaN exactly for NaN and ±Inf; an indexed loop avoids the iterator protocol.
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) n++;
  }
  return n;
}

/** Largest unit whose inputs are read while the previous unit computes. */
const READ_AHEAD_BYTES = 64 * 1024 * 1024;

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
  const chunkElements = options.chunkElements ?? backend.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  const withTasks = (options.taskModelOutputs ?? []).length > 0;
  const elementwise = (step: MergeStep) => isElementwise(plan, step, withTasks);
  const unitsOf = (step: MergeStep, chunked: boolean) =>
    stepUnits(plan, step, chunked, chunkElements);
  // Streamed tensors whose chunks need whole-tensor bands or l1 factors (small tensors are
  // one unit: the backend computes those itself).
  const statisticsSteps = merges.flatMap((step) => {
    const needs = statisticsNeeded(step.job, plan.modelScope !== undefined);
    const units = needs ? unitsOf(step, elementwise(step)) : [];
    return needs && units.length > 1 ? [{ step, needs, units }] : [];
  });
  const statisticsTotal = statisticsSteps.reduce((n, s) => n + statisticsPasses(s.needs), 0);
  const statisticsBytes = statisticsSteps.reduce(
    (n, s) => n + statisticsPasses(s.needs) * s.step.inputBytes,
    0,
  );
  const preBytes = merges.reduce((n, s) => n + s.inputBytes, 0);
  const selectionPasses = plan.passes.includes('magnitude_selection') ? 2 : 0;
  const signPasses = plan.passes.includes('majority_sign') ? 1 : 0;
  const pcbPasses = usesPcbModelScope(merges) ? PCB_MODEL_READS : 0;
  const mergeBytes = plan.steps.reduce(
    (n, s) => n + (s.kind === 'merge' ? s.inputBytes : s.bytes),
    0,
  );
  const progress = progressReporter(
    'merge',
    merges.length * (selectionPasses + signPasses + pcbPasses) +
      statisticsTotal +
      plan.steps.length,
    options.onProgress,
    {
      totalBytes:
        preBytes * (selectionPasses + signPasses + pcbPasses) + statisticsBytes + mergeBytes,
    },
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
  let modulators: ModulatorWriter | undefined;
  try {
    if (options.modulatorOutput)
      modulators = new ModulatorWriter(options.modulatorOutput, plan, taskKeys);
    outputs.push(openOutput(target, specs, recipeYaml, options.maxShardBytes));
    taskTargets.forEach((tt, t) => {
      const taskSpecs = specs.filter((_, i) => inTask(plan.steps[i]!, t));
      outputs.push(openOutput(tt, taskSpecs, recipeYaml, options.maxShardBytes));
    });
  } catch (e) {
    await abortTargets([target, ...taskTargets]);
    if (options.modulatorOutput) await options.modulatorOutput.abort().catch(() => undefined);
    throw e;
  }
  const output = outputs[0]!;
  const state: RunState = { majoritySign: 0 };
  // Two units in flight (one read ahead), each with one buffer per input.
  // Free buffers for one whole unit plus one read-ahead.
  const buffers = new ReadBuffers(
    4 * Math.max(1, ...merges.map((s) => s.inputs.length)),
    Math.max(0, ...merges.map((s) => s.inputBytes)) + READ_AHEAD_BYTES,
    backend.sharedBuffers,
  );
  const load = (u: WorkUnit) => readUnitInputs(plan, u, buffers);
  // Output arrays of streamed chunks, reused once their write settles: one being computed,
  // one being written, one spare (job.output; a backend may return its own array instead).
  const outputBuffers = new ReadBuffers(3, 3 * 4 * chunkElements, backend.sharedBuffers);
  const takeOutput = (numel: number) => {
    const view = outputBuffers.take(numel * 4);
    return new Float32Array(view.buffer, 0, numel);
  };
  // Called once the backend call that used a unit's inputs has settled.
  const recycle = (raws: RawTensor[]) => buffers.give(raws.map((r) => r.bytes));
  const unitBytes = (u: WorkUnit) =>
    isWholeTensor(u) ? u.step.inputBytes : (u.step.inputBytes * (u.end - u.begin)) / u.step.numel;
  // Whole-tensor jobs are compute-bound: reading a big one ahead would only double memory.
  const fits = (u: WorkUnit) => unitBytes(u) <= READ_AHEAD_BYTES;
  const small = (next: WorkUnit, current: WorkUnit) => fits(next) && fits(current);
  const advance = (u: WorkUnit) => progress.advance(u.end === u.step.numel ? 1 : 0, unitBytes(u));
  // The main output's previous write, still in flight while the next tensor or chunk
  // computes (file writes cost ≈ 0.2 s per 100 MB here). Awaited before the next write and
  // before finish. Chunks are written as parts of their tensor as they come: no output
  // tensor is ever assembled whole (a chunk's output array goes back to its pool only once
  // its write has settled: a sink may hold the bytes until then, not after).
  let writing: Promise<void> = Promise.resolve();
  const writeMain = async (name: string, bytes: Uint8Array, last = true) => {
    await writing;
    writing = output.writeTensorPart(name, bytes, last);
    writing.catch(() => undefined);
  };
  let bytesWritten = 0;
  let nonFinite = 0;
  let emrRescalers: number[] | undefined;
  try {
    if (plan.modelScope) {
      const { densities, totalElements } = plan.modelScope;
      const selector = backend.createMagnitudeSelector(densities, totalElements);
      // Histograms only count |δ|: any element range works.
      const units = merges.flatMap((s) => unitsOf(s, true));
      let passes = 0;
      do {
        passes++;
        for await (const { item, value: raws } of prefetchOneAhead(units, load, small)) {
          throwIfAborted(options.signal);
          if (selector.addAll) await selector.addAll(raws[0]!, raws.slice(1));
          else for (let m = 1; m < raws.length; m++) await selector.add(m - 1, raws[0]!, raws[m]!);
          recycle(raws);
          advance(item);
        }
        await selector.closePass?.();
      } while (selector.needsAnotherPass());
      // A selector that settled in one read (candidate band): the planned second pass is done.
      if (passes < selectionPasses) {
        progress.advance(
          merges.length * (selectionPasses - passes),
          preBytes * (selectionPasses - passes),
        );
      }
      state.thresholds = selector.thresholds();
    }
    if (pcbPasses > 0) {
      const units = merges.flatMap((s) => unitsOf(s, false));
      const read = async function* () {
        for await (const { item, value: raws } of prefetchOneAhead(units, load, small)) {
          throwIfAborted(options.signal);
          yield attachInputs(item.step, raws, state) as TensorMethodJob;
          recycle(raws);
          advance(item);
        }
      };
      const elements = merges.reduce((n, s) => n + s.numel, 0);
      state.pcbModel = await pcbModelStats(read, elements);
    }
    const statistics = new Map<string, TensorStatistics>();
    for (const { step, needs, units } of statisticsSteps) {
      let passes = 0;
      const stats = await tensorStatistics(step, units, needs, {
        backend,
        load,
        recycle,
        thresholds: state.thresholds,
        throwIfAborted: () => throwIfAborted(options.signal),
        onUnit: (u, pass) => {
          passes = Math.max(passes, pass + 1);
          progress.advance(u.end === u.step.numel ? 1 : 0, unitBytes(u));
        },
      });
      // A band selection that settled in one read: its planned second pass is done.
      const skipped = statisticsPasses(needs) - passes;
      if (skipped > 0) progress.advance(skipped, skipped * step.inputBytes);
      statistics.set(step.name, stats);
    }
    const attach = (u: WorkUnit, raws: RawTensor[]) =>
      attachUnitInputs(u, raws, state, statistics.get(u.step.name));
    if (plan.needsMajoritySign) {
      let total = 0;
      const units = merges.flatMap((s) => unitsOf(s, elementwise(s)));
      for await (const { item, value: raws } of prefetchOneAhead(units, load, small)) {
        throwIfAborted(options.signal);
        const job = attach(item, raws) as TaskArithmeticJob;
        // `elect: unweighted` runs on the CPU path on every backend (its only implementation).
        total +=
          backend.electedSignSum && !job.electUnweighted
            ? await backend.electedSignSum(job)
            : taskArithmeticSignSum(job);
        recycle(raws);
        advance(item);
      }
      state.majoritySign = Math.sign(total);
    }
    type Unit = { copy: CopyStep } | WorkUnit;
    const units: Unit[] = plan.steps.flatMap((s): Unit[] =>
      s.kind === 'copy' ? [{ copy: s }] : unitsOf(s, elementwise(s)),
    );
    const loadUnit = async (u: Unit): Promise<RawTensor[] | Uint8Array> =>
      'copy' in u ? plan.checkpoints.get(u.copy.from)!.readRaw(u.copy.name) : load(u);
    for await (const { item, value } of prefetchOneAhead(
      units,
      loadUnit,
      (next, current) => ('copy' in next || fits(next)) && ('copy' in current || fits(current)),
    )) {
      throwIfAborted(options.signal);
      if ('copy' in item) {
        const step = item.copy;
        const bytes = value as Uint8Array;
        progress.advance(1, step.bytes);
        for (let t = 0; t < taskTargets.length; t++) {
          if (inTask(step, t)) await outputs[t + 1]!.writeTensor(step.name, bytes);
        }
        await writeMain(step.name, bytes);
        bytesWritten += bytes.length;
        continue;
      }
      const step = item.step;
      const numel = item.end - item.begin;
      const job = attach(item, value as RawTensor[]);
      if (job.kind === 'consensus' && withTasks) job.emitTaskModels = true;
      if (!isWholeTensor(item)) job.output = takeOutput(numel);
      const result =
        job.kind === 'task_arithmetic' && job.electUnweighted
          ? mergeTensorCpu(job)
          : await backend.mergeTensor(job);
      recycle(value as RawTensor[]);
      if (result.merged.length !== numel) {
        throw new Error(
          `${step.name}: the ${backend.name} backend returned ${result.merged.length} values, expected ${numel}`,
        );
      }
      nonFinite += result.nonFinite ?? countNonFinite(result.merged);
      const chunk = encodeF32As(dtypeOf(step), result.merged);
      advance(item);
      if (!isWholeTensor(item)) {
        // Task-model outputs need whole tensors: their jobs are never chunked (chunking.ts).
        await writeMain(step.name, chunk, item.end === step.numel);
        if (modulators)
          await modulators.addChunk(step.name, { ...item, numel: step.numel }, result.emr);
        // Back to the pool once the sink is done with the bytes (they may be `merged` itself).
        const merged = result.merged;
        void writing.then(
          () => outputBuffers.give([new Uint8Array(merged.buffer)]),
          () => {},
        );
        bytesWritten += chunk.length;
        continue;
      }
      const bytes = chunk;
      if (modulators) await modulators.add(step.name, result.emr);
      for (let t = 0; t < taskTargets.length; t++) {
        const values = result.taskModels?.[t];
        if (!values || values.length !== step.numel) {
          throw new Error(`${step.name}: the ${backend.name} backend returned no task model ${t}`);
        }
        await outputs[t + 1]!.writeTensor(step.name, encodeF32As(dtypeOf(step), values));
      }
      await writeMain(step.name, bytes);
      bytesWritten += bytes.length;
    }
    await writing;
    throwIfAborted(options.signal);
    if (modulators) emrRescalers = Array.from(await modulators.finish());
    for (const o of outputs) await o.finish();
  } catch (e) {
    await writing.catch(() => undefined);
    await Promise.all(outputs.map((o) => o.abort(e)));
    await modulators?.abort(e).catch(() => undefined);
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
    ...(emrRescalers ? { emrRescalers } : {}),
  };
}

export { RECIPE_FILE_NAME, RECIPE_METADATA_KEY } from './output';

/** Reads of the model before the merge for PCB's whole-model quantiles (two per stage). */
const PCB_MODEL_READS = 4;

const usesPcbModelScope = (merges: MergeStep[]) =>
  merges.some(
    (s) =>
      s.job.kind === 'tensor_method' &&
      s.job.method === 'pcb' &&
      s.job.global['pcb_scope'] === 'model',
  );
