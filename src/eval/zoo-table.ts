/**
 * The zoo's results table: per-task accuracy of the individual fine-tunes, the base through each
 * task's head, weight averaging, task arithmetic (λ = 0.3) and TIES, plus task-vector cosines.
 * Shared by the results script (scripts/zoo/eval-zoo.ts) and the CLI.
 */
import { PairStats } from '../analysis';
import type { NamedArray, Params } from '../core';
import type { GrayImages } from '../data';
import { toTensors, type VitConfig } from '../models';
import type { LoadedZoo } from '../zoo';
import { accuracy } from './accuracy';
import {
  encoderOf,
  taskArithmeticMerge,
  tiesMerge,
  zooMerge,
  zooTaskVectors,
  type ZooMerge,
} from './zoo-merges';

export interface TableRow {
  method: string;
  /** Task name → accuracy in [0, 1]. */
  perTask: Record<string, number>;
  average: number;
}

/**
 * Accuracy on every task of an encoder (`encoder` tensors) combined with each task's own head
 * taken from its fine-tuned checkpoint.
 */
export async function evaluateEncoder(
  method: string,
  encoder: Params,
  zoo: LoadedZoo,
  options: { limit?: number; config?: VitConfig; tasks?: string[] } = {},
): Promise<TableRow> {
  const perTask: Record<string, number> = {};
  const shared = toTensors(encoder);
  for (const task of zoo.manifest.tasks) {
    if (options.tasks && !options.tasks.includes(task.name)) continue;
    const checkpoint = zoo.checkpoints.get(task.name);
    const test = zoo.testSets.get(task.name);
    if (!checkpoint || !test) continue;
    const heads = toTensors(headsOf(checkpoint, task.headTensors));
    const params = new Map([...shared, ...heads]);
    const result = await accuracy(params, task.name, test, {
      limit: options.limit,
      config: options.config ?? zoo.manifest.model.config,
    });
    perTask[task.name] = result.accuracy;
    for (const t of heads.values()) t.dispose();
  }
  for (const t of shared.values()) t.dispose();
  return { method, perTask, average: mean(Object.values(perTask)) };
}

/** Each fine-tune on its own test set. */
export async function evaluateIndividuals(
  zoo: LoadedZoo,
  options: { limit?: number } = {},
): Promise<TableRow> {
  const perTask: Record<string, number> = {};
  for (const task of zoo.manifest.tasks) {
    const checkpoint = zoo.checkpoints.get(task.name);
    const test = zoo.testSets.get(task.name) as GrayImages | undefined;
    if (!checkpoint || !test) continue;
    const params = toTensors(checkpoint);
    perTask[task.name] = (
      await accuracy(params, task.name, test, {
        limit: options.limit,
        config: zoo.manifest.model.config,
      })
    ).accuracy;
    for (const t of params.values()) t.dispose();
  }
  return { method: 'Individual', perTask, average: mean(Object.values(perTask)) };
}

export function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** A task's own head tensors, taken from its fine-tuned checkpoint. */
export function headsOf(checkpoint: Params, headTensors: readonly string[]): Params {
  return new Map(headTensors.map((h) => [h, checkpoint.get(h)!] as [string, NamedArray]));
}

export interface ZooResults {
  rows: TableRow[];
  /** Task arithmetic at other λ (labels pick nothing here: a reference for AdaMerging's headroom). */
  sweep: TableRow[];
  tasks: string[];
  cosines: number[][];
  taskVectorNorms: Record<string, number>;
  imagesPerTask: number;
}

/** Every row of the zoo's table, in the paper's order. */
export async function zooResults(
  zoo: LoadedZoo,
  options: { limit?: number; onRow?: (row: TableRow) => void; sweep?: number[] } = {},
): Promise<ZooResults> {
  const tasks = zoo.manifest.tasks.map((t) => t.name);
  const base = encoderOf(zoo.base, zoo.manifest.headPrefix);
  const rows: TableRow[] = [];
  const push = (row: TableRow): void => {
    rows.push(row);
    options.onRow?.(row);
  };
  const limit = options.limit;
  const merged = async (label: string, merge: ZooMerge): Promise<TableRow> =>
    evaluateEncoder(label, await zooMerge(zoo, merge), zoo, { limit });
  push(await evaluateIndividuals(zoo, { limit }));
  push(await evaluateEncoder('Base + task heads', base, zoo, { limit }));
  push(await merged('Weight averaging', taskArithmeticMerge(1 / tasks.length)));
  push(await merged('Task arithmetic (λ=0.3)', taskArithmeticMerge(0.3)));
  push(
    await merged(
      'TIES (paper: top-20% model scope, mass sign, disjoint mean, λ=1)',
      tiesMerge({ density: 0.2, disjoint: 'mean', lambda: 1 }),
    ),
  );
  push(
    await merged(
      'TIES (FusionBench: disjoint sum, λ=0.3)',
      tiesMerge({ density: 0.2, disjoint: 'sum', lambda: 0.3 }),
    ),
  );
  const sweep: TableRow[] = [];
  for (const lambda of options.sweep ?? []) {
    const row = await merged(`Task arithmetic (λ=${lambda})`, taskArithmeticMerge(lambda));
    sweep.push(row);
    options.onRow?.(row);
  }
  const stats = vectorStats(tasks, zooTaskVectors(zoo));
  const cosines = stats.cosine;
  const taskVectorNorms = Object.fromEntries(tasks.map((t, i) => [t, stats.norms[i]!]));
  const imagesPerTask = Math.min(
    ...tasks.map((t) => Math.min(zoo.testSets.get(t)?.count ?? 0, limit ?? Infinity)),
  );
  return { rows, sweep, tasks, cosines, taskVectorNorms, imagesPerTask };
}

/** Cosines and L2 norms of the task vectors (src/analysis's running sums, tensor by tensor). */
export function vectorStats(
  tasks: string[],
  vectors: Params[],
): { cosine: number[][]; norms: number[] } {
  const stats = new PairStats(tasks);
  for (const name of vectors[0]?.keys() ?? []) {
    stats.add(
      null,
      vectors.map((v) => v.get(name)!.data),
    );
  }
  const result = stats.result();
  return { cosine: result.cosine, norms: result.norms };
}

const pct = (x: number): string => (100 * x).toFixed(1);

export function resultsMarkdown(results: ZooResults): string {
  const head = `| Method | ${results.tasks.join(' | ')} | **Avg** |`;
  const rule = `|---|${results.tasks.map(() => '---:').join('|')}|---:|`;
  const lines = results.rows.map(
    (r) =>
      `| ${r.method} | ${results.tasks.map((t) => pct(r.perTask[t] ?? 0)).join(' | ')} | **${pct(r.average)}** |`,
  );
  const sweepLines = results.sweep.map(
    (r) =>
      `| ${r.method} | ${results.tasks.map((t) => pct(r.perTask[t] ?? 0)).join(' | ')} | **${pct(r.average)}** |`,
  );
  const sweepBlock =
    sweepLines.length === 0
      ? []
      : [
          '',
          'Task arithmetic at other λ (one λ for all tasks; for reference, not a method):',
          '',
          head,
          rule,
          ...sweepLines,
        ];
  const cosHead = `| τ cosine | ${results.tasks.join(' | ')} |`;
  const cosRule = `|---|${results.tasks.map(() => '---:').join('|')}|`;
  const cosLines = results.tasks.map(
    (t, i) => `| ${t} | ${results.cosines[i]!.map((c) => c.toFixed(2)).join(' | ')} |`,
  );
  const norms = results.tasks
    .map((t) => `${t} ${results.taskVectorNorms[t]!.toFixed(2)}`)
    .join(', ');
  return [
    `Accuracy (%) on ${results.imagesPerTask} test images per task.`,
    '',
    head,
    rule,
    ...lines,
    ...sweepBlock,
    '',
    'Cosine similarity of the task vectors τ = θ_task − θ_base over the encoder:',
    '',
    cosHead,
    cosRule,
    ...cosLines,
    '',
    `Task-vector L2 norms: ${norms}.`,
  ].join('\n');
}
