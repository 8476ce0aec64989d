/**
 * Per-op timing of the ViT's building blocks on the active backend (benchmark diagnostics:
 * "where the time goes" below the phase level).
 */
import * as tf from '@tensorflow/tfjs';
import { browserGpu } from '../../src/gpu/browser-gpu';
import { initTf, type TfDevice } from '../../src/tf/backend';

async function timed(fn: () => tf.Tensor, reps = 5): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const t = fn();
    await t.data();
    t.dispose();
  }
  return (performance.now() - t0) / reps;
}

export async function probeOps(
  device: TfDevice,
  matmulProgram = -1,
): Promise<Record<string, number>> {
  tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', matmulProgram);
  const gpu = device === 'webgpu' ? await browserGpu() : null;
  await initTf(device, { gpu, wasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/' });
  const a = tf.ones([1000]);
  const x = tf.randomUniform([2176, 48]) as tf.Tensor2D;
  const w = tf.randomUniform([48, 144]) as tf.Tensor2D;
  const q = tf.randomUniform([512, 17, 12]) as tf.Tensor3D;
  const g = tf.randomUniform([128, 17, 3, 4, 12]);
  const m = tf.randomUniform([128, 17, 48]);
  const lam = tf.randomUniform([1, 8]) as tf.Tensor2D;
  const st = tf.randomUniform([8, 6912]) as tf.Tensor2D;
  return {
    'add [1000]': await timed(() => tf.add(a, a), 20),
    'matMul 2176×48·48×144': await timed(() => tf.matMul(x, w)),
    'batched matMul 512×17×12 · ᵀ': await timed(() => tf.matMul(q, q, false, true)),
    'transpose 5-D': await timed(() => tf.transpose(g, [2, 0, 3, 1, 4])),
    'moments [128,17,48]': await timed(() => tf.moments(m, -1, true).variance),
    'merge matMul [1,8]·[8,6912]': await timed(() => tf.matMul(lam, st), 20),
  };
}
