/**
 * `merge --config recipe.yml --out <file.safetensors | folder>`: runs a mergekit-style recipe
 * with the streaming executor on WebGPU (default when an adapter exists) or the CPU reference.
 * Model paths in the recipe are relative to the recipe file. Ctrl-C aborts and removes the
 * partial output.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stageModelCard, stageRecipe, stageSideFiles } from './merge-folder';
import { parseArgs } from 'node:util';
import type { Progress } from '../../core';
import {
  checkOutputPath,
  openCheckpointPath,
  ownTemp,
  releaseTemp,
  stagedFileSink,
  stagedSinkFolder,
  type StagedSinkFolder,
} from '../../io/node';
import type { ByteSink, Checkpoint, SinkFolder } from '../../io';
import {
  checkRecipe,
  executeMerge,
  MergePlanError,
  modelCard,
  parseDtypeName,
  parseRecipe,
  planMerge,
  RecipeError,
  taskModels,
  usesBase,
  getMethod,
  EMR_MODULATORS_FILE,
  modulatorsBeside,
  type MergeBackend,
} from '../../merge';
import { createCpuWorkerBackend, defaultCpuThreads } from '../../merge/node/cpu-worker-backend';
import { cancelExitCode, cancelReason } from '../cancel';
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
                        into <dir>/<model name>/
  --modulators          emr only: also write the per-task modulators (1-bit masks + rescalers)
                        as emr_modulators.safetensors in the output folder (beside a file
                        output: <name>.emr_modulators.safetensors); eval --modulators uses them
  --overwrite           replace an output folder that already holds files (as a whole, once
                        the new model is complete; without it such a folder is refused)
  --allow-non-finite    write the result even if it holds NaN/±Inf values (refused by default)`;

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
  const unitName = m ? m[2]!.toUpperCase().replace(/^([KMGT])$/, '$1B') : '';
  const unit = m && Object.hasOwn(SIZE_UNITS, unitName) ? SIZE_UNITS[unitName] : undefined;
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
  // The first steps' rate says little (a 1 s merge printed "ETA 9m11s"): an ETA once a tenth is done.
  const eta = p.eta !== undefined && p.done * 10 >= p.total ? `, ETA ${formatSeconds(p.eta)}` : '';
  return `merge: ${p.done}/${p.total} tensor steps${bytes}${rate}${eta}`;
}

function workerThreads(): string {
  const n = defaultCpuThreads();
  return n === 1 ? '1 worker thread' : `${n} worker threads`;
}

const DEVICES: readonly string[] = ['webgpu', 'cpu'];

async function chooseBackend(device: string | undefined, io: CliIo): Promise<MergeBackend> {
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
  /** Replace a non-empty output folder (as a whole, once the new one is complete). */
  overwrite?: boolean;
  /** Publish a result holding NaN/±Inf values (refused by default). */
  allowNonFinite?: boolean;
  modulators?: boolean;
  signal?: AbortSignal;
  /**
   * A recipe to publish with a folder output (as mergekit_config.yml, and in the card) instead
   * of `config`: a portable one whose paths are relative to the output folder, when `config`
   * is a temporary copy (the CLIP AdaMerging export). Staged, so published with the weights.
   */
  publishRecipe?: { yaml: string; title: string };
}

/** Where --modulators writes: inside a folder output, beside a file output. */
export const modulatorsPath = (out: string) =>
  out.endsWith('.safetensors') ? modulatorsBeside(out) : join(out, EMR_MODULATORS_FILE);

/** Folder name for a task's compressed model: the model path's last part, without extension. */
export function taskFolderName(modelKey: string): string {
  const last =
    modelKey
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? modelKey;
  return last.replace(/\.safetensors$/, '').replace(/[^\w.-]+/g, '_') || 'model';
}

/**
 * Test hook: `MERGE_STUDIO_TEST_DELAY_MS=<ms>` waits that long before each write of the output,
 * so tests of signals and closed pipes can reach a merge while it runs. Unset: the target itself.
 */
function slowedForTests<T extends SinkFolder | ByteSink>(target: T): T {
  const ms = Number(process.env.MERGE_STUDIO_TEST_DELAY_MS ?? 0);
  if (!(ms > 0)) return target;
  const slow = (sink: ByteSink): ByteSink => ({
    name: sink.name,
    write: async (chunk) => {
      await new Promise((r) => setTimeout(r, ms));
      await sink.write(chunk);
    },
    close: () => sink.close(),
    abort: (reason) => sink.abort(reason),
  });
  if ('createSink' in target) {
    return { createSink: async (name: string) => slow(await target.createSink(name)) } as T;
  }
  return slow(target) as T;
}

/** Checks that need no file: flags and their values (the device is started later). */
function checkFlags(o: MergeRunOptions) {
  if (o.device !== undefined && !DEVICES.includes(o.device)) {
    throw new CliUsageError(`--device: unknown device "${o.device}"; use webgpu or cpu`);
  }
  return {
    maxShardBytes: o.shardSize === undefined ? undefined : parseSize(o.shardSize),
    outDtype: o.outDtype === undefined ? undefined : parseDtypeName(o.outDtype, '--out-dtype'),
  };
}

/** The recipe's model paths, resolved against the recipe's folder, opened and validated. */
async function openInputs(o: MergeRunOptions, keys: string[]) {
  const checkpoints = new Map<string, Checkpoint>();
  const paths: string[] = [];
  try {
    for (const key of keys) {
      const path = resolve(dirname(o.config), key);
      const exists = await stat(path).catch(() => null);
      if (!exists) throw new CliUsageError(`${o.config}: model "${key}": ${path} does not exist`);
      paths.push(path);
      checkpoints.set(key, await openCheckpointPath(path));
    }
  } catch (e) {
    await closeAll(checkpoints);
    throw e;
  }
  return { checkpoints, paths };
}

const toFileOut = (out: string) => out.endsWith('.safetensors');

/** tokenizer.json of each model folder when the recipe has tokenizer_source (else undefined). */
async function readTokenizers(
  recipe: { tokenizerSource?: string },
  keys: string[],
  paths: string[],
) {
  if (recipe.tokenizerSource === undefined) return undefined;
  const tokenizers = new Map<string, unknown>();
  for (const [i, key] of keys.entries()) {
    const file = join(paths[i]!, 'tokenizer.json');
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue; // the planner names every model without one
    try {
      tokenizers.set(key, JSON.parse(text));
    } catch (e) {
      throw new CliUsageError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  return tokenizers;
}

const closeAll = async (checkpoints: Map<string, Checkpoint>) => {
  for (const c of checkpoints.values()) await c.close?.().catch(() => undefined);
};

/** Creates `dir`'s missing ancestors; returns the first one created (to remove on failure). */
async function makeParents(path: string): Promise<string | undefined> {
  const created = await mkdir(dirname(resolve(path)), { recursive: true });
  if (created) ownTemp(created);
  return created;
}

export async function runMerge(o: MergeRunOptions, io: CliIo): Promise<number> {
  const { maxShardBytes, outDtype } = checkFlags(o);
  const text = await readFile(o.config, 'utf8');
  const { recipe, warnings } = parseRecipe(text, o.config);
  for (const w of warnings) io.err(`warning: ${w}`);
  const problems = checkRecipe(recipe);
  if (problems.length > 0) throw new MergePlanError(problems.map((p) => `${o.config}: ${p}`));

  const method = getMethod(recipe.mergeMethod);
  if (o.taskModels !== undefined && method.kind !== 'consensus') {
    throw new CliUsageError(`--task-models needs merge_method: consensus (got ${method.name})`);
  }
  if (o.modulators && method.name !== 'emr') {
    throw new CliUsageError(`--modulators needs merge_method: emr (got ${method.name})`);
  }
  const withBase = usesBase(recipe, method) || recipe.tokenizerSource !== undefined;
  const keys = [
    ...new Set([
      ...(withBase && recipe.baseModel ? [recipe.baseModel] : []),
      ...taskModels(recipe, method).map((m) => m.model),
    ]),
  ];
  const { checkpoints, paths } = await openInputs(o, keys);
  const created: string[] = [];
  const staged: { commit(): Promise<void>; discard(): Promise<void> }[] = [];
  let backend: MergeBackend | undefined;
  try {
    const tokenizers = await readTokenizers(recipe, keys, paths);
    const plan = await planMerge(recipe, checkpoints, {
      ...(outDtype ? { outDtype } : {}),
      ...(tokenizers ? { tokenizers } : {}),
    });
    if (tokenizers && toFileOut(o.out))
      io.err(`warning: tokenizer_source: --out is one file, so no tokenizer is written beside it`);
    for (const w of plan.warnings) io.err(`warning: ${w}`);

    const toFile = o.out.endsWith('.safetensors');
    const inputs = [o.config, ...paths];
    await checkOutputPath({
      out: o.out,
      kind: toFile ? 'file' : 'folder',
      inputs,
      overwrite: o.overwrite,
    });
    const taskFolders = (o.taskModels === undefined ? [] : taskModels(recipe, method)).map((m) =>
      join(o.taskModels!, taskFolderName(m.model)),
    );
    if (new Set(taskFolders).size !== taskFolders.length) {
      throw new CliUsageError('--task-models: two task models would share a folder name');
    }
    if (o.modulators && toFile)
      await checkOutputPath({
        out: modulatorsPath(o.out),
        kind: 'file',
        inputs: [...inputs, o.out],
        overwrite: o.overwrite,
      });
    for (const f of taskFolders) {
      await checkOutputPath({
        out: f,
        kind: 'folder',
        inputs: [...inputs, o.out],
        overwrite: o.overwrite,
      });
    }
    backend = await chooseBackend(o.device, io);

    // Everything is checked: only now is anything created.
    for (const path of [o.out, ...taskFolders]) {
      const first = await makeParents(path);
      if (first) created.push(first);
    }
    const taskTargets: StagedSinkFolder[] = [];
    for (const f of taskFolders)
      taskTargets.push(await stagedSinkFolder(f, { overwrite: o.overwrite }));
    staged.push(...taskTargets);
    const target = toFile
      ? await stagedFileSink(o.out)
      : await stagedSinkFolder(o.out, { overwrite: o.overwrite });
    staged.push(target);
    let modulatorSink: ByteSink | undefined;
    if (o.modulators) {
      if (toFile) {
        const file = await stagedFileSink(modulatorsPath(o.out));
        staged.push(file);
        modulatorSink = file;
      } else modulatorSink = await (target as SinkFolder).createSink(EMR_MODULATORS_FILE);
    }
    let lastPrint = 0;
    const summary = await executeMerge(plan, backend, slowedForTests(target), {
      signal: o.signal,
      maxShardBytes,
      ...(taskTargets.length > 0 ? { taskModelOutputs: taskTargets } : {}),
      ...(modulatorSink ? { modulatorOutput: modulatorSink } : {}),
      onProgress: (p) => {
        const now = performance.now();
        if (p.status === 'progress' && (now - lastPrint > 1000 || p.done === p.total)) {
          lastPrint = now;
          io.err(progressLine(p)!);
        }
      },
    });
    o.signal?.throwIfAborted();
    if (!toFile) {
      // The tokenizer_source's tokenizer; the base's (else the first model's) config /
      // preprocessor / other tokenizer files; a card — staged, so published with the weights.
      const folder = target as SinkFolder;
      const { written, warnings } = await stageSideFiles(
        folder,
        {
          ...(paths[0] ? { config: paths[0] } : {}),
          ...(plan.output?.tokenizerFrom
            ? { tokenizer: paths[keys.indexOf(plan.output.tokenizerFrom)]! }
            : {}),
        },
        plan.output,
      );
      for (const w of warnings) io.err(`warning: ${w}`);
      const published = o.publishRecipe;
      if (published) await stageRecipe(folder, published.yaml);
      await stageModelCard(
        folder,
        published
          ? modelCard(parseRecipe(published.yaml).recipe, published.title, published.yaml)
          : modelCard(recipe, method.prettyName, text),
      );
      if (written.length > 0) io.err(`wrote ${written.join(', ')} beside the weights`);
    }
    if (summary.nonFinite > 0 && !o.allowNonFinite) {
      // Staged, not published: a model with NaN/±Inf weights is never written by default.
      throw new CliUsageError(
        `the merged tensors would contain ${summary.nonFinite} NaN/±Inf values; nothing was written (check the parameters such as lambda and weight, and the inputs; --allow-non-finite writes them anyway)`,
      );
    }
    for (const s of staged) await s.commit();
    for (const c of created) releaseTemp(c);
    if (summary.nonFinite > 0) {
      io.err(`warning: the merged tensors contain ${summary.nonFinite} NaN/Inf values`);
    }
    if (summary.emrRescalers)
      io.out(
        `wrote ${modulatorsPath(o.out)}: EMR masks of ${summary.emrRescalers.length} tasks, rescalers ${summary.emrRescalers.map((r) => r.toFixed(4)).join(', ')}`,
      );
    io.out(
      `wrote ${o.out}: ${summary.tensors} tensors (${summary.merged} merged, ${summary.copied} copied), ${formatBytes(summary.bytesWritten)} in ${summary.seconds.toFixed(1)}s on ${backend.name}`,
    );
    return 0;
  } catch (e) {
    for (const s of staged) await s.discard().catch(() => undefined);
    for (const c of created.reverse()) {
      await rm(c, { recursive: true, force: true }).catch(() => undefined);
      releaseTemp(c);
    }
    if (o.signal?.aborted) {
      io.err(`merge cancelled (${cancelReason(o.signal)}): partial output removed`);
      return cancelExitCode(o.signal);
    }
    throw e;
  } finally {
    backend?.dispose();
    await closeAll(checkpoints);
  }
}

export const mergeCommand: Command = {
  summary: 'merge models from a mergekit-style YAML recipe (WebGPU or CPU)',
  usage,
  cancellable: true,
  async run(args, io, context) {
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
        overwrite: { type: 'boolean', default: false },
        modulators: { type: 'boolean', default: false },
        'allow-non-finite': { type: 'boolean', default: false },
      },
    });
    if (positionals.length > 0)
      throw new CliUsageError(`merge: unexpected argument "${positionals[0]}" (see merge --help)`);
    if (!values.config || !values.out)
      throw new CliUsageError(
        'merge needs --config <recipe.yml> and --out <path> (see merge --help)',
      );
    try {
      return await runMerge(
        {
          config: values.config,
          out: values.out,
          device: values.device,
          shardSize: values['shard-size'],
          outDtype: values['out-dtype'],
          taskModels: values['task-models'],
          overwrite: values.overwrite,
          allowNonFinite: values['allow-non-finite'],
          modulators: values.modulators,
          signal: context?.signal,
        },
        io,
      );
    } catch (e) {
      throw asUsageError(e);
    }
  },
};
