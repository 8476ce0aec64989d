/**
 * tfjs-backend-webgpu does not look at WebGPU's validation errors: a kernel whose pipeline or
 * bind group is invalid leaves its output buffer as it was and every kernel batched with it
 * unrun, and the numbers come back wrong without a word (src/tf/sum.ts has one case). Code that
 * trains on WebGPU runs each step in a validation scope, so such a step fails with a clear error.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { withValidationScope } from '../gpu';

/** `body` in a WebGPU validation error scope when tfjs runs on WebGPU; as is otherwise. */
export async function tfValidated<T>(body: () => Promise<T>): Promise<T> {
  if (tf.getBackend() !== 'webgpu') return body();
  const device = (tf.backend() as WebGPUBackend).device;
  return withValidationScope(device, body);
}
