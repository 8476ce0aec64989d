/**
 * tf.addN for any number of tensors on every backend. tfjs-backend-webgpu's AddN binds each
 * input as its own storage buffer and, unlike its Concat, never splits: past the device's
 * maxStorageBuffersPerShaderStage the pipeline fails validation and the "sum" is whatever the
 * output buffer held — silently (lavapipe, limit 16: 15 scalars add up, 16 return the previous
 * kernel's result). SIMO's gradient clipping summed 18 squared norms that way, so on WebGPU the
 * representation re-alignment trained with a wrong clip scale. Adding in groups of at most
 * seven stays inside WebGPU's default limit of 8 (one for the output).
 */
import * as tf from '@tensorflow/tfjs';

/** Inputs of one AddN: WebGPU's default maxStorageBuffersPerShaderStage (8) minus the output. */
export const ADD_GROUP = 7;

/** The element-wise sum of `tensors` (same shape), as a tree of AddN calls of ≤ ADD_GROUP inputs. */
export function addMany<T extends tf.Tensor>(tensors: T[]): T {
  if (tensors.length === 0) throw new RangeError('addMany: no tensors to add');
  return tf.tidy(() => {
    let level: tf.Tensor[] = tensors;
    do {
      const next: tf.Tensor[] = [];
      for (let i = 0; i < level.length; i += ADD_GROUP) {
        // eslint-disable-next-line no-restricted-properties -- the one place AddN is grouped
        next.push(tf.addN(level.slice(i, i + ADD_GROUP)));
      }
      level = next;
    } while (level.length > 1);
    return level[0] as T;
  });
}
