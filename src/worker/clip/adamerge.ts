/**
 * CLIP AdaMerging on the page's fine-tunes: what it will hold on the device (checked against
 * the adapter's limits before anything is uploaded), the run (src/adapt's runClipAdaMerging:
 * the fused WebGPU step on the worker's device whenever it has one, also while tfjs runs on
 * wasm, else tfjs autodiff; pause/cancel between steps, one step event each; ++ on the
 * TIES-selected τ),
 * and the learned λ exported as every merge is: adamergingRecipeFor's recipe (++: TIES with
 * `elect: unweighted`, which the engine reproduces), written by the merge engine into memory. The
 * accuracy row scores that written file, so the numbers are those of what the user downloads.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  adamergingRecipeFor,
  clipAdaMergingFootprint,
  clipFusedSupports,
  clipHostProblem,
  describeFootprint,
  footprintProblem,
  wasmHeapProblem,
  PauseToken,
  resolveOptions,
  runClipAdaMerging,
  type AdaMergingOptions,
  type AdaMergingResult,
} from '../../adapt';
import { preprocessedPool, readVisionTower } from '../../eval';
import { memorySink } from '../../io';
import { executeMerge, planMerge, recipeToYaml } from '../../merge';
import { CLIP_UNMERGED, type ClipConfig } from '../../models';
import { browserGpu } from '../../gpu/browser-gpu';
import { chooseMergeBackend } from '../merge/backend';
import { inputsOf } from '../merge/run';
import type { Methods } from '../protocol';
import { Transfer, type HandlerContext } from '../serve';
import type { StudioSession } from '../session';
import { evaluationOnSuite } from '../eval/evaluate';
import { rowOf, scoreTower, visionOfBytes } from './evaluate';
import { clipSuite } from './suite';
import type { ClipFootprintReport } from './protocol';
import { clipError } from './state';

type Result = Methods['clipAdamerge']['result'];

type Limits = { maxBufferSize: number; maxStorageBufferBindingSize: number };

/**
 * The WebGPU device the fused step runs on while tfjs runs elsewhere (wasm, cpu), as the v1
 * zoo's run has it: on a software adapter that pairing is the fastest (docs/bench.md). Null
 * with `?gpu=off`, without an adapter, or when the fused kernels do not fit the vision config.
 */
async function fusedDevice(session: StudioSession, config: ClipConfig): Promise<GPUDevice | null> {
  if (session.gpuPreference !== 'auto' || !clipFusedSupports(config)) return null;
  return (await browserGpu())?.device ?? null;
}

/** The one-buffer limits of the device the run holds its tensors on (wasm/cpu: host memory). */
async function deviceLimits(session: StudioSession, config: ClipConfig): Promise<Limits | null> {
  if (tf.getBackend() === 'webgpu') return (tf.backend() as WebGPUBackend).device.limits;
  return (await fusedDevice(session, config))?.limits ?? null;
}

export async function clipFootprint(
  session: StudioSession,
  { options }: { options: AdaMergingOptions },
): Promise<ClipFootprintReport> {
  await session.tfDevice();
  const base = session.clip.theBase();
  const tuned = session.clip.withTasks();
  const resolved = resolveOptions(options);
  const perStep = tuned.length * resolved.batchSize * resolved.batchesPerTask;
  const footprint = clipAdaMergingFootprint(
    base.model.config,
    tuned.length,
    perStep,
    tuned.map((f) => f.task.head.classNames.length),
  );
  const limits = await deviceLimits(session, base.model.config);
  return {
    text: describeFootprint(footprint),
    totalBytes: footprint.totalBytes,
    largestBufferBytes: footprint.largestBuffer.bytes,
    limitBytes: limits ? Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize) : null,
    problem: limits
      ? footprintProblem(footprint, limits)
      : tf.getBackend() === 'wasm'
        ? wasmHeapProblem(footprint)
        : null,
  };
}

/** The learned λ through the engine: the recipe, and the safetensors it writes. */
async function exportLearned(
  session: StudioSession,
  result: AdaMergingResult,
  signal: AbortSignal,
) {
  const { clip } = session;
  const base = clip.theBase();
  const byTask = new Map([...clip.finetunes.values()].map((f) => [f.task?.images.task, f.name]));
  const recipe = adamergingRecipeFor(result, {
    baseModel: base.name,
    modelOf: (task) => byTask.get(task)!,
    taskSpecific: CLIP_UNMERGED,
  });
  const plan = await planMerge(recipe, inputsOf(session.registry, recipe));
  const backend = await chooseMergeBackend(session);
  try {
    const fileName = `clip-adamerging-${result.mode}-wise${result.plus ? '-plus' : ''}.safetensors`;
    const sink = memorySink(fileName);
    await executeMerge(plan, backend, sink, { signal });
    return { fileName, bytes: sink.bytes(), recipeYaml: recipeToYaml(recipe) };
  } finally {
    backend.dispose();
  }
}

/**
 * The pause token, waited on before every step, plus one macrotask: on tfjs-wasm a step's
 * readback resolves without leaving the microtask queue, so without it the cancel and pause
 * messages would wait until the whole run ended.
 */
function yieldingPause(pause: PauseToken) {
  return {
    get paused() {
      return pause.paused;
    },
    async wait(signal?: AbortSignal) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await pause.wait(signal);
    },
  };
}

export async function clipAdamerge(
  session: StudioSession,
  { options, poolSize = 64, limit }: Methods['clipAdamerge']['params'],
  { signal, emit }: HandlerContext<'clipAdamerge'>,
): Promise<Transfer<Result>> {
  if (session.adamergingPause) throw clipError('busy', 'AdaMerging is already running.');
  const resolved = resolveOptions(options);
  const footprint = await clipFootprint(session, { options });
  emit({ type: 'footprint', footprint });
  if (footprint.problem) throw clipError('too-large', footprint.problem);
  const base = session.clip.theBase();
  const tuned = session.clip.withTasks();
  const device = await session.tfDevice();
  const progress = (task: string, done: number) =>
    emit({ type: 'progress', progress: { status: 'progress', task, done, total: tuned.length } });
  const finetunes = [];
  const pools = [];
  for (const [k, f] of tuned.entries()) {
    signal.throwIfAborted();
    progress(`reading ${f.name} and ${f.task.images.task}'s images`, k);
    finetunes.push({ task: f.task.images.task, vision: await readVisionTower(f.checkpoint) });
    const side = base.model.config.vision.imageSize;
    pools.push(await preprocessedPool(f.task.images, base.preprocess, side, poolSize, { signal }));
  }
  const host = clipHostProblem({
    config: base.model.config,
    base: base.model.vision,
    finetunes,
    projection: base.model.projection,
    logitScale: base.model.logitScale,
    heads: tuned.map(({ task: { head } }) => ({
      weight: head.weight,
      classes: head.classNames.length,
      dim: head.dim,
    })),
    // ++ learns λ on the TIES-selected τ; the recipe records the same density, so the engine's
    // model-scope trim and unweighted election select the same entries again on export.
    plus: resolved.plus,
    density: resolved.density,
  });
  const pause = new PauseToken();
  session.adamergingPause = pause;
  let result: AdaMergingResult;
  try {
    result = await runClipAdaMerging(
      host,
      pools,
      options,
      {
        signal,
        pauseToken: yieldingPause(pause),
        onStep: (step) => emit({ type: 'step', step }),
        // The main panels' CLIP suite (Results' scorers and their decoded images) scores the
        // tower while it learns, as the v1 zoo's run scores its encoder.
        onEval: (evaluation) => emit({ type: 'eval', eval: evaluation }),
        evaluateTower: (tower) =>
          evaluationOnSuite(tower, clipSuite(session), {
            limit: resolved.evalLimit || undefined,
            signal,
          }),
      },
      await fusedDevice(session, base.model.config),
    );
  } finally {
    session.adamergingPause = null;
  }
  const exported = await exportLearned(session, result, signal);
  const label = `AdaMerging${result.plus ? '++' : ''} ${result.mode}-wise`;
  const scored = await scoreTower(
    await visionOfBytes(exported.bytes, exported.fileName),
    base.model.config,
    base,
    tuned.map((f) => f.task),
    {
      limit,
      signal,
      pixels: session.clip.pixels,
      onProgress: (p) =>
        emit({ type: 'progress', progress: { ...p, task: `evaluating ${label}` } }),
    },
  );
  const configJson = JSON.stringify(base.folder.checkpoint.config ?? {}, null, 2);
  return new Transfer(
    { result, row: rowOf(label, scored, device), export: { ...exported, configJson } },
    [exported.bytes.buffer as ArrayBuffer],
  );
}
