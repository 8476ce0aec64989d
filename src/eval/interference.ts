/**
 * Merge-interference diagnostic: for each task k, accuracy and mean prediction entropy of its
 * head on its test set when the encoder is θ₀ + λ·τₖ ("own": what task k's vector alone buys)
 * and θ₀ + λ·Σ_{j≠k} τⱼ ("others": what the other tasks' vectors cost it), next to task
 * arithmetic over a λ grid. AdaMerging assumes lower entropy goes with higher accuracy; this
 * shows on a zoo whether the other tasks' vectors make a task's predictions more confident
 * while making them wrong — the case in which entropy minimisation raises λ past the optimum.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../core';
import { imagesToTensor, toTensors, vitForward } from '../models';
import type { LoadedZoo } from '../zoo';
import { encoderOf, weightedMerge, zooMerge } from './zoo-merges';
import { headsOf } from './zoo-table';

export interface InterferenceCell {
  accuracy: number;
  /** Mean Shannon entropy (nats) of the head's softmax over the scored images. */
  entropy: number;
}

export interface InterferenceRow {
  label: string;
  perTask: Record<string, InterferenceCell>;
  accuracy: number;
  entropy: number;
}

export interface InterferenceOptions {
  /** Score only the first `limit` test images of each task. */
  limit?: number;
  /** λ values for the task-arithmetic rows. */
  taGrid?: number[];
  /** λ values for the own / others rows. */
  lambdas?: number[];
}

/** Accuracy and mean entropy of task `head`'s predictions on the first `limit` images of its test set. */
export function scoreHead(
  params: Map<string, tf.Tensor>,
  head: string,
  zoo: LoadedZoo,
  limit: number | undefined,
): InterferenceCell {
  const test = zoo.testSets.get(head);
  if (!test) throw new Error(`task ${head}: no test set`);
  const n = Math.min(test.count, limit ?? test.count);
  return tf.tidy(() => {
    const pixels = test.pixels.subarray(0, n * test.side * test.side);
    const x = imagesToTensor(pixels, n, test.side);
    const logits = vitForward(params, x, head, zoo.manifest.model.config);
    const predicted = tf.argMax(logits, 1).dataSync();
    let correct = 0;
    for (let i = 0; i < n; i++) if (predicted[i] === test.labels[i]) correct++;
    const logP = tf.logSoftmax(logits);
    const entropy = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logP), logP), 1))).dataSync()[0] ?? 0;
    return { accuracy: n === 0 ? 0 : correct / n, entropy };
  });
}

/** One row: `encoderFor(k)` is the encoder task k is scored with (its own head added). */
async function row(
  label: string,
  zoo: LoadedZoo,
  encoderFor: (k: number) => Promise<Params>,
  limit: number | undefined,
): Promise<InterferenceRow> {
  const perTask: Record<string, InterferenceCell> = {};
  for (const [k, task] of zoo.manifest.tasks.entries()) {
    const heads = headsOf(zoo.checkpoints.get(task.name)!, task.headTensors);
    const params = toTensors(new Map([...(await encoderFor(k)), ...heads]));
    perTask[task.name] = scoreHead(params, task.name, zoo, limit);
    for (const t of params.values()) t.dispose();
  }
  const cells = Object.values(perTask);
  const mean = (f: (c: InterferenceCell) => number): number =>
    cells.reduce((s, c) => s + f(c), 0) / Math.max(1, cells.length);
  return { label, perTask, accuracy: mean((c) => c.accuracy), entropy: mean((c) => c.entropy) };
}

export async function interferenceRows(
  zoo: LoadedZoo,
  options: InterferenceOptions = {},
): Promise<InterferenceRow[]> {
  const { limit } = options;
  const base = encoderOf(zoo.base, zoo.manifest.headPrefix);
  const tasks = zoo.manifest.tasks.length;
  // θ₀ + Σⱼ weights(j)·τⱼ, merged by the engine.
  const only = (weights: (j: number) => number): Promise<Params> =>
    zooMerge(zoo, weightedMerge(Array.from({ length: tasks }, (_, j) => weights(j))));
  const rows = [await row('Base + task heads', zoo, async () => base, limit)];
  for (const lambda of options.taGrid ?? [0.1, 0.2, 0.3, 0.5]) {
    const merged = await only(() => lambda);
    rows.push(await row(`Task arithmetic λ=${lambda}`, zoo, async () => merged, limit));
  }
  for (const lambda of options.lambdas ?? [0.3]) {
    rows.push(
      await row(`Own vector λ=${lambda}`, zoo, (k) => only((j) => (j === k ? lambda : 0)), limit),
    );
    rows.push(
      await row(
        `Other vectors λ=${lambda}`,
        zoo,
        (k) => only((j) => (j === k ? 0 : lambda)),
        limit,
      ),
    );
  }
  return rows;
}

export function interferenceMarkdown(zoo: LoadedZoo, rows: InterferenceRow[]): string {
  const tasks = zoo.manifest.tasks.map((t) => t.name);
  const pct = (x: number): string => (100 * x).toFixed(1);
  const lines = [
    `| encoder | ${tasks.join(' | ')} | **Avg** | mean entropy |`,
    `| --- | ${tasks.map(() => '---:').join(' | ')} | ---: | ---: |`,
    ...rows.map(
      (r) =>
        `| ${r.label} | ${tasks.map((t) => pct(r.perTask[t]?.accuracy ?? 0)).join(' | ')} | **${pct(r.accuracy)}** | ${r.entropy.toFixed(3)} |`,
    ),
  ];
  return lines.join('\n');
}
