/**
 * Browser entry (e2e/kernels.e2e.ts through callInPage): addMany on the page's WebGPU device
 * against the exact sums, for input counts below and far above the device's storage-buffer
 * limit, and what tfjs's own AddN returns for the same inputs (tfjs-backend-webgpu does not
 * split its inputs; see sum.ts). Only numbers come back.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { addMany } from './sum';
import { useBackend } from './testing/in-page-backend';

export interface AddManyCheck {
  maxStorageBuffers: number;
  rows: { inputs: number; exact: number; addMany: number; tfAddN: number }[];
}

/**
 * Sums of n scalars computed on the device (15·i², as the squared norms gradient clipping adds),
 * exact in float32.
 */
export async function addManyCheckInPage(counts: number[]): Promise<AddManyCheck> {
  await useBackend('webgpu');
  const { device } = tf.backend() as WebGPUBackend;
  const rows: AddManyCheck['rows'] = [];
  for (const n of counts) {
    const parts = () =>
      Array.from({ length: n }, (_, i) => tf.sum(tf.square(tf.fill([3, 5], i + 1))));
    // tfjs's AddN first, on its own inputs, read at once: a failed pipeline invalidates the
    // whole command buffer it is batched into (its inputs' kernels too), and its output is a
    // pooled buffer still holding an earlier result.
    const mine = parts();
    // eslint-disable-next-line no-restricted-properties -- the check of tfjs's own AddN
    const plain = tf.addN(mine);
    const b = await plain.data();
    const theirs = parts();
    const grouped = addMany(theirs);
    const a = await grouped.data();
    rows.push({
      inputs: n,
      exact: (15 * n * (n + 1) * (2 * n + 1)) / 6,
      addMany: a[0]!,
      tfAddN: b[0]!,
    });
    tf.dispose([grouped, plain, ...mine, ...theirs]);
  }
  return { maxStorageBuffers: device.limits.maxStorageBuffersPerShaderStage, rows };
}
