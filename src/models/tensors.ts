/** Converting between plain named Float32Arrays (checkpoints) and tfjs tensors / images. */
import * as tf from '@tensorflow/tfjs';
import type { NamedArray } from '../core';

export type { NamedArray, Params } from '../core';

/** Plain arrays → tensors (caller disposes). */
export function toTensors(arrays: Map<string, NamedArray>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, { shape, data }] of arrays) out.set(name, tf.tensor(data, shape, 'float32'));
  return out;
}

/** uint8 images (count × side²) → a float tensor [count, side, side, 1] with pixels in [0, 1]. */
export function imagesToTensor(pixels: Uint8Array, count: number, side: number): tf.Tensor4D {
  const floats = new Float32Array(count * side * side);
  for (let i = 0; i < floats.length; i++) floats[i] = (pixels[i] ?? 0) / 255;
  return tf.tensor4d(floats, [count, side, side, 1]);
}
