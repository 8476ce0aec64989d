/** Dense scenes (src/data/dense) as model inputs and per-task targets. */
import * as tf from '@tensorflow/tfjs';
import type { DenseSet } from '../../data';
import type { DenseTarget } from './forward';
import type { DenseTask } from './config';

/** RGB in [0, 1] shifted to [-0.5, 0.5]: [N, S, S, 3]. */
export function denseInputs(set: DenseSet): tf.Tensor4D {
  const x = new Float32Array(set.rgb.length);
  for (let i = 0; i < x.length; i++) x[i] = (set.rgb[i] ?? 0) / 255 - 0.5;
  return tf.tensor4d(x, [set.count, set.size, set.size, 3]);
}

/** The task's ground truth in the shape denseLoss expects. */
export function denseTarget(set: DenseSet, task: DenseTask): DenseTarget {
  const { count: n, size: s } = set;
  if (task.kind === 'segmentation')
    return tf.tensor3d(Int32Array.from(set.label), [n, s, s], 'int32');
  if (task.kind === 'depth') return tf.tensor4d(set.depth, [n, s, s, 1]);
  return tf.tensor4d(set.normal, [n, s, s, 3]);
}
