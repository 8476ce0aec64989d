/**
 * The SIMO table on a loaded pool: every task's single-task model, the joint multi-task
 * baseline, the merged encoder (any preset of the merge engine) with the fine-tunes' decoders,
 * and the merge after head and/or representation re-alignment, each with its metrics on the
 * test scenes and ΔMTL against the single-task models. Shared by the CLI and (later) the studio.
 */
import type { Params, ProgressCallback } from '../../core';
import { renderDenseSet, validationCount } from '../../data';
import {
  deltaMtl,
  denseMerge,
  evaluateDense,
  taskArithmeticMerge,
  taskRelationshipMatrix,
  tiesMerge,
  type TaskMetrics,
  type ZooMerge,
} from '../../eval';
import {
  checkDenseEncoder,
  checkTaskModel,
  type DenseConfig,
  type SimoManifest,
} from '../../models';
import {
  headRealign,
  representationRealign,
  requireValidation,
  type RealignOptions,
} from './realign';

export interface LoadedSimoPool {
  manifest: SimoManifest;
  base: Params;
  /** Task name → its fine-tune. */
  singles: Map<string, Params>;
  joint: Params;
}

export const HEAD_ROW = '+ head re-align';
export const REPRESENTATION_ROW = '+ representation re-align';

export type SimoFix = 'heads' | 'representation' | 'both' | 'none';

export interface SimoRow {
  name: string;
  metrics: TaskMetrics;
  /** ΔMTL % against the single-task rows, and per task. */
  delta: number;
  perTask: Record<string, number>;
  seconds?: number;
}

export interface SimoOptions {
  merge: ZooMerge;
  mergeLabel: string;
  fix: SimoFix;
  valFraction: number;
  steps?: number;
  peakLr?: number;
  rank?: number;
  /** Only the first N test scenes (default: the manifest's test count). */
  testLimit?: number;
  onProgress?: ProgressCallback;
  onLoss?: RealignOptions['onLoss'];
  signal?: AbortSignal;
  pause?: RealignOptions['pause'];
  /** The recipe's never-merged filters (default `decoders.`; the studio's editable split). */
  taskSpecific?: string[];
  /** Each evaluated merged model as it is made (the studio keeps them for pictures and export). */
  onModel?: (row: string, model: SimoModel) => void;
}

/** A dense model as the table evaluated it: its tensors and (representation) its adapters. */
export interface SimoModel {
  params: Params;
  adapters?: Params;
}

/** The table's merge: task arithmetic (λ) or TIES as published (density, disjoint mean, λ). */
export function simoMerge(
  method: 'task_arithmetic' | 'ties',
  lambda: number,
  density = 0.2,
): { merge: ZooMerge; label: string } {
  if (method === 'task_arithmetic')
    return { merge: taskArithmeticMerge(lambda), label: `task arithmetic (λ=${lambda})` };
  return {
    merge: tiesMerge({ density, disjoint: 'mean', lambda }),
    label: `TIES (density ${density}, λ=${lambda})`,
  };
}

/** Checks every file of the pool against its config (one line naming the file and tensor). */
export function checkSimoPool(pool: LoadedSimoPool): void {
  const { config, singles: files } = pool.manifest;
  checkDenseEncoder(pool.manifest.base, pool.base, config);
  for (const t of config.tasks)
    checkTaskModel(files[t.name]!, pool.singles.get(t.name)!, config, t);
  for (const t of config.tasks) checkTaskModel(pool.manifest.joint, pool.joint, config, t);
}

function withDecoders(params: Params, decoders: Params): Params {
  const out = new Map(params);
  for (const [k, v] of decoders) out.set(k, v);
  return out;
}

/** Metrics of each task's own fine-tune on its own task (the ΔMTL reference). */
async function singleMetrics(
  pool: LoadedSimoPool,
  test: Parameters<typeof evaluateDense>[1],
  config: DenseConfig,
): Promise<TaskMetrics> {
  const out: TaskMetrics = {};
  for (const t of config.tasks) {
    const m = await evaluateDense(pool.singles.get(t.name)!, test, config, { tasks: [t] });
    out[t.name] = m[t.name]!;
  }
  return out;
}

export async function runSimo(pool: LoadedSimoPool, options: SimoOptions): Promise<SimoRow[]> {
  checkSimoPool(pool);
  const { config, data } = pool.manifest;
  const val = renderDenseSet(
    data.seed,
    'val',
    validationCount(data.train, options.valFraction),
    data.size,
  );
  if (options.fix !== 'none') requireValidation(val);
  const test = renderDenseSet(data.seed, 'test', options.testLimit ?? data.test, data.size);
  const single = await singleMetrics(pool, test, config);
  const rows: SimoRow[] = [];
  const add = (name: string, metrics: TaskMetrics, seconds?: number): void => {
    const d = deltaMtl(metrics, single);
    rows.push({ name, metrics, delta: d.overall, perTask: d.perTask, seconds });
  };
  add('single-task', single);
  add('joint multi-task', await evaluateDense(pool.joint, test, config));
  const tasks = config.tasks.map((t) => t.name);
  const merged = await denseMerge(
    pool.base,
    pool.singles,
    tasks,
    options.merge,
    options.taskSpecific,
  );
  add(options.mergeLabel, await evaluateDense(merged, test, config));
  options.onModel?.(options.mergeLabel, { params: merged });
  const fixOptions = {
    config,
    params: merged,
    val,
    steps: options.steps,
    peakLr: options.peakLr,
    onProgress: options.onProgress,
    onLoss: options.onLoss,
    signal: options.signal,
    pause: options.pause,
  };
  if (options.fix === 'heads' || options.fix === 'both') {
    const t0 = performance.now();
    const heads = await headRealign(fixOptions);
    const seconds = (performance.now() - t0) / 1000;
    const model = { params: withDecoders(merged, heads) };
    add(HEAD_ROW, await evaluateDense(model.params, test, config), seconds);
    options.onModel?.(HEAD_ROW, model);
  }
  if (options.fix === 'representation' || options.fix === 'both') {
    const t0 = performance.now();
    const r = await representationRealign({ ...fixOptions, rank: options.rank });
    const seconds = (performance.now() - t0) / 1000;
    const model = { params: withDecoders(merged, r.decoders), adapters: r.adapters };
    const metrics = await evaluateDense(model.params, test, config, { adapters: r.adapters });
    add(REPRESENTATION_ROW, metrics, seconds);
    options.onModel?.(REPRESENTATION_ROW, model);
  }
  return rows;
}

/** ΔMTL of the merge of every pair of tasks (the paper's offline compatibility check). */
export async function simoRelationship(
  pool: LoadedSimoPool,
  merge: ZooMerge,
  testLimit?: number,
  taskSpecific?: string[],
): Promise<{ tasks: string[]; matrix: number[][] }> {
  checkSimoPool(pool);
  const { config, data } = pool.manifest;
  const test = renderDenseSet(data.seed, 'test', testLimit ?? data.test, data.size);
  const single = await singleMetrics(pool, test, config);
  const tasks = config.tasks.map((t) => t.name);
  const matrix = await taskRelationshipMatrix(tasks, async (a, b) => {
    const pair = config.tasks.filter((t) => t.name === a || t.name === b);
    const merged = await denseMerge(pool.base, pool.singles, [a, b], merge, taskSpecific);
    const metrics = await evaluateDense(merged, test, config, { tasks: pair });
    return deltaMtl(metrics, { [a]: single[a]!, [b]: single[b]! }).overall;
  });
  return { tasks, matrix };
}
