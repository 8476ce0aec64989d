/**
 * Measures one training step of the zoo's ViT (forward + backward + Adam) on each tfjs backend
 * available in Node, to choose the builder's backend. `npx tsx bench/zoo-backends.ts [batch]`.
 */
import * as tf from '@tensorflow/tfjs';
import { initTf, type TfDevice } from '../src/tf/backend';
import { nodeGpu } from '../src/gpu/node-gpu';
import { DEFAULT_VIT_CONFIG } from '../src/models/vit-config';
import { initEncoder, initHead } from '../src/models/init';
import { vitForward } from '../src/models/vit';

async function measure(device: TfDevice, batch: number, steps: number): Promise<number> {
  const gpu = device === 'webgpu' ? await nodeGpu() : null;
  const got = await initTf(device, { gpu });
  if (got !== device) throw new Error(`${device} unavailable (got ${got})`);
  const params: Record<string, tf.Variable> = {};
  for (const [name, { shape, data }] of [
    ...initEncoder(DEFAULT_VIT_CONFIG, 1),
    ...initHead(DEFAULT_VIT_CONFIG, 't', 10, 2),
  ]) {
    params[name] = tf.variable(tf.tensor(data, shape));
  }
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 4), 10);
  const step = async (): Promise<void> => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, vitForward(params, x as tf.Tensor4D, 't')),
      true,
    );
    await loss?.data();
    loss?.dispose();
  };
  for (let i = 0; i < 3; i++) await step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const ms = (performance.now() - t0) / steps;
  for (const v of Object.values(params)) v.dispose();
  opt.dispose();
  return ms;
}

const batch = Number(process.argv[2] ?? 64);
for (const device of (process.argv[3]?.split(',') ?? ['wasm', 'cpu', 'webgpu']) as TfDevice[]) {
  try {
    const ms = await measure(device, batch, device === 'cpu' ? 5 : 20);
    console.log(`${device}: ${ms.toFixed(1)} ms/step (batch ${batch})`);
  } catch (e) {
    console.log(`${device}: failed: ${(e as Error).message}`);
  }
}
process.exit(0);
