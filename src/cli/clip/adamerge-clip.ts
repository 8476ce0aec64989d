/**
 * `adamerge --base <CLIPModel folder> --finetune <task>=<folder> ... --task <task>=<data> ...`:
 * AdaMerging on the user's own CLIP checkpoints (the paper's setting): λ learned without labels
 * by minimising the entropy of each task's zero-shot predictions on its unlabelled images, then
 * per-task accuracy (labelled data only) of zero-shot, task arithmetic (λ = 0.3) and the result.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  clipAdaMergingFootprint,
  clipHostProblem,
  describeFootprint,
  footprintProblem,
  wasmHeapProblem,
  runClipAdaMerging,
  type ClipHostProblem,
} from '../../adapt';
import { clipFusedSupports, mergedClipParams, uploadClipProblem } from '../../adapt';
import type { AdaMergingResult } from '../../adapt';
import {
  evaluateClip,
  preprocessedPool,
  checkClipParts,
  checkFinetune,
  readClipModel,
  readVisionTower,
  type ClipModel,
  type TaskAccuracy,
  type TaskImages,
  type ZeroShotHead,
} from '../../eval';
import type { ClipPreprocessConfig } from '../../data';
import type { Checkpoint } from '../../io';
import { openCheckpointPath } from '../../io/node';
import { formatTable } from '../format';
import { CliUsageError, type CliIo } from '../types';
import { withClipFolders } from './open-model';
import { progressLine } from './progress-line';
import { headsFor, openTasks, readPreprocess, startTf } from './setup';
import { parseNamedPaths, type NamedPath } from './task-args';
import { writeAdaMergedFolder } from './adamerge-export';

export const clipAdamergeUsage = `usage: adamerge --base <CLIPModel folder> --finetune <task>=<folder> ... --task <task>=<data> ... --mode task|layer [--plus] [--steps 500] [--images 64] [--out <folder>]
  AdaMerging on Hugging Face CLIP checkpoints: the base CLIPModel (its vision tower is θ₀; its
  projection, logit scale, text tower, preprocessor_config.json and tokenizer.json are used),
  one fine-tuned vision tower per task (CLIPVisionModel folders, as FusionBench publishes them),
  and each task's images (ImageFolder or .parquet; labels only for the accuracy table).
  --heads     zero-shot heads saved by \`heads\` (default: built from class names)
  --images    unlabelled images per task kept for sampling (default 64)
  --limit     only the first N images per task in the accuracy table
  --out       write the merged model as a CLIPVisionModel folder through the merge engine,
              with the recipe (mergekit_config.yml) that reproduces it
  Other options as for the demo zoo: --steps, --lr, --batch, --batches, --seed, --no-clamp,
  --log-every, --device (wasm default; cpu; webgpu runs tfjs's kernels, no fused step for CLIP).`;

function checkPairs(finetunes: NamedPath[], tasks: NamedPath[]): void {
  if (finetunes.length === 0)
    throw new CliUsageError('name at least one --finetune <task>=<folder>');
  const data = new Set(tasks.map((t) => t.name));
  for (const f of finetunes)
    if (!data.has(f.name))
      throw new CliUsageError(`--finetune ${f.name}: no --task ${f.name}=<data>`);
  const tuned = new Set(finetunes.map((f) => f.name));
  for (const t of tasks)
    if (!tuned.has(t.name))
      throw new CliUsageError(`--task ${t.name}: no --finetune ${t.name}=<folder>`);
}

const number = (flag: string, raw: string | undefined, fallback: number, min = 1): number => {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min)
    throw new CliUsageError(`--${flag} must be an integer ≥ ${min}`);
  return v;
};

async function readInputs(
  base: ClipModel,
  finetunes: { task: string; checkpoint: Checkpoint }[],
  heads: ZeroShotHead[],
  plus: boolean,
): Promise<ClipHostProblem> {
  const tuned = [];
  for (const f of finetunes)
    tuned.push({ task: f.task, vision: await readVisionTower(f.checkpoint) });
  return clipHostProblem({
    config: base.config,
    base: base.vision,
    finetunes: tuned,
    projection: base.projection,
    logitScale: base.logitScale,
    heads: heads.map((h) => ({ weight: h.weight, classes: h.classNames.length, dim: h.dim })),
    plus,
    density: 0.2,
  });
}

/**
 * Everything the run reads, checked before the long part (the fine-tunes' towers): the base
 * folder, the fine-tunes' tensor names, preprocessing, task data, heads and the footprint on
 * the device. The weight files are closed once read, whether it succeeds or not (the export
 * re-opens them by path).
 */
async function readSetup(
  values: {
    base: string;
    clip?: string;
    heads?: string;
    plus?: boolean;
    device: string;
    perStep: number;
  },
  finetunes: { name: string; path: string }[],
  order: { name: string; path: string }[],
  io: CliIo,
) {
  return withClipFolders(values.base, values.clip, async (folders) => {
    const parts = checkClipParts(folders.model.checkpoint, folders.base?.checkpoint, {
      text: !values.heads,
    });
    const tunedCheckpoints: { task: string; checkpoint: Checkpoint }[] = [];
    try {
      for (const f of finetunes) {
        const checkpoint = await openCheckpointPath(f.path);
        tunedCheckpoints.push({ task: f.name, checkpoint });
        checkFinetune(checkpoint, parts.model, folders.model.name);
      }
      const preprocess = readPreprocess(folders);
      const tasks = await openTasks(order, false);
      const used = await startTf(values.device);
      const baseModel = await readClipModel(folders.model.checkpoint, folders.base?.checkpoint, {
        text: !values.heads,
      });
      const heads = await headsFor(baseModel, folders, tasks, values.heads);
      const footprint = clipAdaMergingFootprint(
        baseModel.config,
        finetunes.length,
        values.perStep,
        heads.map((h) => h.classNames.length),
      );
      io.err(describeFootprint(footprint));
      const problem =
        used === 'webgpu'
          ? footprintProblem(footprint, (tf.backend() as WebGPUBackend).device.limits)
          : used === 'wasm'
            ? wasmHeapProblem(footprint)
            : null;
      if (problem) throw new CliUsageError(`--device ${used}: ${problem}`);
      const host = await readInputs(baseModel, tunedCheckpoints, heads, values.plus ?? false);
      return { preprocess, tasks, used, baseModel, heads, host };
    } finally {
      await Promise.all(tunedCheckpoints.map((t) => t.checkpoint.close()));
    }
  });
}

/** Images in one AdaMerging step: every task's batch. */
function imagesPerStep(tasks: number, batch: number, batches: number): number {
  return tasks * batch * batches;
}

interface Row {
  label: string;
  results: Map<string, TaskAccuracy>;
}

async function accuracyRows(
  host: ClipHostProblem,
  result: AdaMergingResult,
  preprocess: ClipPreprocessConfig,
  tasks: TaskImages[],
  heads: ZeroShotHead[],
  limit: number | undefined,
  io: CliIo,
): Promise<Row[]> {
  const device = uploadClipProblem(host);
  const T = host.tasks.length;
  const settings: [string, tf.Tensor2D][] = [
    ['zero-shot (base)', tf.zeros([T, 1])],
    ['task arithmetic (λ=0.3)', tf.fill([T, 1], 0.3)],
    [`AdaMerging${result.plus ? '++' : ''} ${result.mode}-wise`, tf.tensor2d(result.lambdas)],
  ];
  const rows: Row[] = [];
  try {
    for (const [label, lambdas] of settings) {
      const params = mergedClipParams(device, lambdas, false);
      const results = await evaluateClip(
        params,
        host.config,
        host.logitScale,
        preprocess,
        tasks.map((images, k) => ({ images, head: heads[k]! })),
        { limit, onProgress: progressLine(io) },
      );
      for (const [name, t] of params) if (name !== 'visual_projection.weight') t.dispose();
      lambdas.dispose();
      rows.push({ label, results });
    }
  } finally {
    device.dispose();
  }
  return rows;
}

function table(rows: Row[], tasks: string[]): string[] {
  const pct = (x: number | undefined) => (x === undefined ? '-' : (100 * x).toFixed(1));
  return formatTable(
    ['method', ...tasks, 'avg'],
    rows.map((r) => {
      const accs = tasks.map((t) => r.results.get(t)?.accuracy);
      const avg = accs.reduce<number>((a, b) => a + (b ?? 0), 0) / tasks.length;
      return [r.label, ...accs.map(pct), pct(avg)];
    }),
    new Set(tasks.map((_, i) => i + 1).concat(tasks.length + 1)),
  );
}

export async function runClipAdamerge(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      clip: { type: 'string' },
      finetune: { type: 'string', multiple: true },
      task: { type: 'string', multiple: true },
      heads: { type: 'string' },
      mode: { type: 'string' },
      plus: { type: 'boolean', default: false },
      steps: { type: 'string' },
      images: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      lr: { type: 'string' },
      batch: { type: 'string' },
      batches: { type: 'string' },
      'no-clamp': { type: 'boolean', default: false },
      limit: { type: 'string' },
      'log-every': { type: 'string' },
      device: { type: 'string', default: 'wasm' },
    },
  });
  if (!values.base) throw new CliUsageError('adamerge needs --base <CLIPModel folder>');
  if (values.mode !== 'task' && values.mode !== 'layer')
    throw new CliUsageError('adamerge needs --mode task or --mode layer');
  const finetunes = parseNamedPaths('finetune', values.finetune);
  const taskPaths = parseNamedPaths('task', values.task);
  checkPairs(finetunes, taskPaths);
  const order = finetunes.map((f) => taskPaths.find((t) => t.name === f.name)!);
  const steps = number('steps', values.steps, 500, 0);
  const poolSize = number('images', values.images, 64);
  const batches = number('batches', values.batches, 1);
  if (batches !== 1 && batches !== 2) throw new CliUsageError('--batches must be 1 or 2');
  const lr = values.lr === undefined ? 1e-3 : Number(values.lr);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new CliUsageError('--lr must be a positive number');
  const seed = number('seed', values.seed, 0, 0);
  const logEvery = number('log-every', values['log-every'], 25);
  const limit = values.limit === undefined ? undefined : number('limit', values.limit, 1);

  const batch = number('batch', values.batch, 16);
  const perStep = imagesPerStep(finetunes.length, batch, batches);
  const { preprocess, tasks, used, baseModel, heads, host } = await readSetup(
    { ...values, base: values.base, perStep },
    finetunes,
    order,
    io,
  );
  const side = baseModel.config.vision.imageSize;
  const pools = [];
  for (const t of tasks) {
    pools.push(
      await preprocessedPool(t, preprocess, side, poolSize, {
        onSkip: ({ name, reason }) => io.err(`skipped ${name}: ${reason}`),
      }),
    );
  }
  const label = `${values.plus ? 'AdaMerging++' : 'AdaMerging'} ${values.mode}-wise`;
  // On webgpu the fused WGSL step runs when the vision config fits its kernels; else autodiff.
  const engine =
    used === 'webgpu' && clipFusedSupports(baseModel.config) ? 'fused WGSL' : 'autodiff';
  io.err(`${label}: ${host.tasks.length} tasks, ${steps} steps, tfjs ${used} (${engine})`);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  let result: AdaMergingResult;
  try {
    result = await runClipAdaMerging(
      host,
      pools,
      {
        mode: values.mode,
        plus: values.plus,
        steps,
        seed,
        lr,
        batchSize: batch,
        batchesPerTask: batches as 1 | 2,
        clamp: !values['no-clamp'],
      },
      {
        signal: controller.signal,
        onStep: (e) => {
          if (e.step % logEvery !== 0 && e.step !== 1 && e.step !== steps) return;
          const eta = ((steps - e.step) * e.ms) / 1000;
          io.err(
            `step ${e.step}/${steps}  entropy ${e.entropyTotal.toFixed(4)}  ${e.ms.toFixed(0)} ms/step  ETA ${eta.toFixed(0)}s`,
          );
        },
      },
    );
  } catch (e) {
    if (controller.signal.aborted) {
      io.err('adamerge: interrupted');
      return 130;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  io.err(
    `done in ${result.seconds.toFixed(1)} s; entropy ${result.firstEntropy.toFixed(4)} → ${result.lastEntropy.toFixed(4)}`,
  );
  if (tasks.every((t) => t.labelled)) {
    const rows = await accuracyRows(host, result, preprocess, tasks, heads, limit, io);
    for (const line of table(rows, host.tasks)) io.out(line);
    io.out(`zero-shot accuracy %, ${limit ?? 'all'} images per task, tfjs ${used}`);
  } else {
    io.out('accuracy not measured: some tasks have unlabelled images');
  }
  if (values.out) {
    await writeAdaMergedFolder(values.out, result, values.base, finetunes, io);
  }
  return 0;
}
