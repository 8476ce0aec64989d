/** A dense model's metrics on a set of scenes (batched tfjs forward, metrics on the host). */
import * as tf from '@tensorflow/tfjs';
import { denseSubset, type DenseSet } from '../../data';
import {
  denseDecode,
  denseEncode,
  denseInputs,
  outputChannels,
  toTensors,
  type DenseConfig,
  type DenseTask,
  type NamedArray,
} from '../../models';
import { depthMetrics, normalMetrics, segmentationMetrics, type TaskMetrics } from './metrics';

type Params = Map<string, NamedArray>;

/** Predictions of one task over the set, flattened: class indices, depths or normals. */
export interface DensePredictions {
  task: DenseTask;
  values: Float32Array | Int32Array;
}

function metricsOf(task: DenseTask, pred: Float32Array | Int32Array, set: DenseSet) {
  if (task.kind === 'segmentation')
    return segmentationMetrics(pred, set.label, outputChannels(task));
  if (task.kind === 'depth') return depthMetrics(pred, set.depth);
  return normalMetrics(pred, set.normal);
}

/** Every task's predictions for the set (`adapters`: representation re-alignment's). */
export async function predictDense(
  params: Params,
  set: DenseSet,
  config: DenseConfig,
  options: { adapters?: Params; batch?: number; tasks?: readonly DenseTask[] } = {},
): Promise<DensePredictions[]> {
  const tasks = options.tasks ?? config.tasks;
  const batch = options.batch ?? 32;
  const weights = toTensors(params);
  const adapters = options.adapters ? toTensors(options.adapters) : undefined;
  const parts = tasks.map(() => [] as (Float32Array | Int32Array)[]);
  try {
    for (let start = 0; start < set.count; start += batch) {
      const rows = Array.from({ length: Math.min(batch, set.count - start) }, (_, i) => start + i);
      const outs = tf.tidy(() => {
        const tokens = denseEncode(weights, denseInputs(denseSubset(set, rows)), config, adapters);
        return tasks.map((t) => {
          const y = denseDecode(weights, tokens, config, t);
          return t.kind === 'segmentation' ? tf.argMax(y, -1).toInt() : y;
        });
      });
      for (const [k, y] of outs.entries()) {
        parts[k]!.push((await y.data()) as Float32Array | Int32Array);
        y.dispose();
      }
    }
  } finally {
    for (const t of weights.values()) t.dispose();
    for (const t of adapters?.values() ?? []) t.dispose();
  }
  return tasks.map((task, k) => {
    const chunks = parts[k]!;
    const total = chunks.reduce((a, c) => a + c.length, 0);
    const values = task.kind === 'segmentation' ? new Int32Array(total) : new Float32Array(total);
    let offset = 0;
    for (const c of chunks) {
      values.set(c, offset);
      offset += c.length;
    }
    return { task, values };
  });
}

/** Metrics of every task (or `tasks`) on the set. */
export async function evaluateDense(
  params: Params,
  set: DenseSet,
  config: DenseConfig,
  options: { adapters?: Params; batch?: number; tasks?: readonly DenseTask[] } = {},
): Promise<TaskMetrics> {
  const out: TaskMetrics = {};
  for (const { task, values } of await predictDense(params, set, config, options))
    out[task.name] = metricsOf(task, values, set);
  return out;
}
