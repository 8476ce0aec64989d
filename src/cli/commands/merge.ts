/**
 * `merge --config recipe.yml --out <file.safetensors | folder>`: runs a mergekit-style recipe
 * with the streaming executor on WebGPU (default when an adapter exists) or the CPU reference.
 * Model paths in the recipe are relative to the recipe file. Ctrl-C aborts and removes the
 * partial output.
 */
import { mkdir, readFile, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Progress } from '../../core';
import { openCheckpointPath, nodeFileSink, nodeSinkFolder } from '../../io/node';
import type { Checkpoint } from '../../io';
import {
  checkRecipe,
  executeMerge,
  MergePlanError,
  parseDtypeName,
  parseRecipe,
  planMerge,
  RecipeError,
  taskModels,
  getMethod,
  type MergeBackend,
} from '../../merge';
import { createCpuWorkerBackend, defaultCpuThreads } from '../../merge/node/cpu-worker-backend';
import { formatBytes } from '../format';
import { CliUsageError, type CliIo, type Command } from '../types';

const usage = `usage: merge --config <recipe.yml> --out <file.safetensors | folder> [options]
  Merges the models of a mergekit-style recipe (paths relative to the recipe file).
  --config <file>       the recipe (merge_method, base_model, models, parameters, …)
  --out <path>          a .safetensors file, or a folder (sharded, with merge_recipe.yml)
  --device <name>       webgpu | cpu (default: webgpu when an adapter exists, else cpu)
  --shard-size <size>   largest shard when writing a folder, e.g. 5GB, 500MB (default 5GB)
  --out-dtype <dtype>   float32 | float16 | bfloat16 (default: the recipe's, else the base's)
  --task-models <dir>   consensus only: also write each task's compressed model θ₀ + mₜ⊙τ_MTL
                        into <dir>/<model name>/`;

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

/** "5GB", "500 MB", "2.5GiB", "1000000" → bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? SIZE_UNITS[m[2]!.toUpperCase().replace(/^([KMGT])$/, '$1B')] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new CliUsageError(`--shard-size: cannot read "${text}"; use e.g. 5GB or 500MB`);
  }
  return Math.floor(Number(m[1]) * unit);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

export function progressLine(p: Progress): string | undefined {
  if (p.status !== 'progress') return undefined;
  const bytes = p.totalBytes
    ? `, ${formatBytes(p.bytes ?? 0)}/${formatBytes(p.totalBytes)} read`
    : '';
  const rate = p.rate !== undefined && p.totalBytes ? `, ${formatBytes(p.rate)}/s` : '';
  const eta = p.eta !== undefined ? `, ETA ${formatSeconds(p.eta)}` : '';
  return `merge: ${p.done}/${p.total} tensor steps${bytes}${rate}${eta}`;
}

function workerThreads(): string {
  const n = defaultCpuThreads();
  return n === 1 ? '1 worker thread' : `${n} worker threads`;
}

async function chooseBackend(device: string | undefined, io: CliIo): Promise<MergeBackend> {
  if (device !== undefined && device !== 'webgpu' && device !== 'cpu') {
    throw new CliUsageError(`--device: unknown device "${device}"; use webgpu or cpu`);
  }
  if (device === 'cpu') {
    io.err(`device: cpu (reference backend, ${workerThreads()})`);
    return createCpuWorkerBackend();
  }
  try {
    const { nodeGpu } = await import('../../gpu/node-gpu');
    const ctx = await nodeGpu();
    if (ctx) {
      const gpu = await import('../../gpu/index');
      const backend = gpu.createWebGpuBackend(ctx);
      const d = ctx.info;
      io.err(
        `device: webgpu (${[d.vendor, d.architecture, d.description].filter(Boolean).join(' ') || 'adapter'}, ${d.featureLevel})`,
      );
      return backend;
    }
  } catch (e) {
    if (device === 'webgpu')
      throw new CliUsageError(
        `--device webgpu: the WebGPU backend failed to start: ${(e as Error).message}`,
      );
  }
  if (device === 'webgpu')
    throw new CliUsageError(
      '--device webgpu: no WebGPU adapter is available here; use --device cpu',
    );
  io.err(`device: cpu (no WebGPU adapter found; reference backend, ${workerThreads()})`);
  return createCpuWorkerBackend();
}

/** Turns the merge engine's typed errors into one-line usage errors (exit 2). */
function asUsageError(e: unknown): unknown {
  if (e instanceof MergePlanError || e instanceof RecipeError) return new CliUsageError(e.message);
  if (e instanceof Error && e.name === 'UnknownMethodError') return new CliUsageError(e.message);
  return e;
}

export interface MergeRunOptions {
  config: string;
  out: string;
  device?: string;
  shardSize?: string;
  outDtype?: string;
  taskModels?: string;
  signal?: AbortSignal;
}

/** Folder name for a task's compressed model: the model path's last part, without extension. */
export function taskFolderName(modelKey: string): string {
  const last =
    modelKey
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? modelKey;
  return last.replace(/\.safetensors$/, '').replace(/[^\w.-]+/g, '_') || 'model';
}

export async function runMerge(o: MergeRunOptions, io: CliIo): Promise<number> {
  const maxShardBytes = o.shardSize === undefined ? undefined : parseSize(o.shardSize);
  const outDtype = o.outDtype === undefined ? undefined : parseDtypeName(o.outDtype, '--out-dtype');
  const text = await readFile(o.config, 'utf8');
  const { recipe, warnings } = parseRecipe(text, o.config);
  for (const w of warnings) io.err(`warning: ${w}`);
  const problems = checkRecipe(recipe);
  if (problems.length > 0) throw new MergePlanError(problems.map((p) => `${o.config}: ${p}`));

  const method = getMethod(recipe.mergeMethod);
  const keys = [
    ...new Set([
      ...(method.needsBase && recipe.baseModel ? [recipe.baseModel] : []),
      ...taskModels(recipe, method).map((m) => m.model),
    ]),
  ];
  const checkpoints = new Map<string, Checkpoint>();
  for (const key of keys) {
    const path = resolve(dirname(o.config), key);
    const exists = await stat(path).catch(() => null);
    if (!exists) throw new CliUsageError(`${o.config}: model "${key}": ${path} does not exist`);
    checkpoints.set(key, await openCheckpointPath(path));
  }
  const plan = await planMerge(recipe, checkpoints, outDtype ? { outDtype } : {});
  for (const w of plan.warnings) io.err(`warning: ${w}`);

  let taskTargets: ReturnType<typeof nodeSinkFolder>[] | undefined;
  if (o.taskModels !== undefined) {
    if (method.kind !== 'consensus') {
      throw new CliUsageError(`--task-models needs merge_method: consensus (got ${method.name})`);
    }
    const folders = taskModels(recipe, method).map((m) =>
      join(o.taskModels!, taskFolderName(m.model)),
    );
    if (new Set(folders).size !== folders.length) {
      throw new CliUsageError('--task-models: two task models would share a folder name');
    }
    for (const f of folders) await mkdir(f, { recursive: true });
    taskTargets = folders.map((f) => nodeSinkFolder(f));
  }
  const toFile = o.out.endsWith('.safetensors');
  const createdDir = !toFile && !(await stat(o.out).catch(() => null));
  if (!toFile) await mkdir(o.out, { recursive: true });
  const backend = await chooseBackend(o.device, io);
  let lastPrint = 0;
  try {
    const target = toFile ? await nodeFileSink(o.out) : nodeSinkFolder(o.out);
    const summary = await executeMerge(plan, backend, target, {
      signal: o.signal,
      maxShardBytes,
      ...(taskTargets ? { taskModelOutputs: taskTargets } : {}),
      onProgress: (p) => {
        const now = performance.now();
        if (p.status === 'progress' && (now - lastPrint > 1000 || p.done === p.total)) {
          lastPrint = now;
          io.err(progressLine(p)!);
        }
      },
    });
    if (summary.nonFinite > 0) {
      io.err(
        `warning: the merged tensors contain ${summary.nonFinite} NaN/Inf values (check the inputs)`,
      );
    }
    io.out(
      `wrote ${o.out}: ${summary.tensors} tensors (${summary.merged} merged, ${summary.copied} copied), ${formatBytes(summary.bytesWritten)} in ${summary.seconds.toFixed(1)}s on ${backend.name}`,
    );
    return 0;
  } catch (e) {
    if (createdDir) await rmdir(o.out).catch(() => undefined);
    if (o.signal?.aborted) {
      io.err('merge cancelled: partial output removed');
      return 130;
    }
    throw e;
  } finally {
    backend.dispose();
  }
}

export const mergeCommand: Command = {
  summary: 'merge models from a mergekit-style YAML recipe (WebGPU or CPU)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        device: { type: 'string' },
        'shard-size': { type: 'string' },
        'out-dtype': { type: 'string' },
        'task-models': { type: 'string' },
      },
    });
    if (positionals.length > 0)
      throw new CliUsageError(`merge: unexpected argument "${positionals[0]}" (see merge --help)`);
    if (!values.config || !values.out)
      throw new CliUsageError(
        'merge needs --config <recipe.yml> and --out <path> (see merge --help)',
      );
    const controller = new AbortController();
    const onSigint = () =>
      controller.abort(new DOMException('merge cancelled (SIGINT)', 'AbortError'));
    process.once('SIGINT', onSigint);
    try {
      return await runMerge(
        {
          config: values.config,
          out: values.out,
          device: values.device,
          shardSize: values['shard-size'],
          outDtype: values['out-dtype'],
          taskModels: values['task-models'],
          signal: controller.signal,
        },
        io,
      );
    } catch (e) {
      throw asUsageError(e);
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
