/**
 * CLIP AdaMerging's first gradient on tfjs's WebGPU backend (Node, Dawn) equals the CPU
 * backend's on the same pool, batch and λ: every op of the merged forward and its backward runs
 * there within the compatibility adapter's limits. Fails (does not skip) without an adapter.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../data';
import { generateClipPool, TINY_CLIP } from '../../eval/testing/clip-pool';
import { requireNodeGpu } from '../../gpu/testing/node-test-gpu';
import { initTf } from '../../tf';
import { clipHostProblem, mergedClipParams } from './problem';
import { ClipAdaMergingSession, entropyPerTask } from './session';

const TASKS = ['a', 'b'];

function host() {
  const pool = generateClipPool(TINY_CLIP, TASKS, {
    seed: 4,
    scale: 8,
    eosTokenId: 2,
    bosTokenId: 1,
  });
  const rng = new Rng(6, 'heads');
  const dim = TINY_CLIP.projectionDim;
  const heads = TASKS.map(() => {
    const w = Float32Array.from({ length: 3 * dim }, () => rng.normal() / Math.sqrt(dim));
    return { weight: w, classes: 3, dim };
  });
  return clipHostProblem({
    config: pool.config,
    base: pool.base,
    finetunes: TASKS.map((task) => ({ task, vision: pool.finetunes.get(task)! })),
    projection: pool.base.get('visual_projection.weight')!,
    logitScale: 2.6592,
    heads,
    plus: false,
    density: 0.2,
  });
}

async function firstGradient(): Promise<Float32Array> {
  const side = TINY_CLIP.vision.image_size;
  const rng = new Rng(8, 'pixels');
  const pools = TASKS.map(() => ({
    pixels: Float32Array.from({ length: 4 * side * side * 3 }, () => rng.normal()),
    count: 4,
    side,
  }));
  const session = new ClipAdaMergingSession(host(), pools, {
    mode: 'layer',
    batchSize: 4,
    seed: 3,
  });
  const images = session.nextImages();
  const grad = tf.grad((l: tf.Tensor) =>
    tf.sum(
      entropyPerTask(
        session.problem,
        mergedClipParams(session.problem, l as tf.Tensor2D, true),
        images,
        4,
      ),
    ),
  )(session.lambda);
  const out = (await grad.data()) as Float32Array;
  tf.dispose([grad, images]);
  session.dispose();
  return out;
}

describe('CLIP AdaMerging on WebGPU', () => {
  it('first-step gradient equals the CPU backend', async () => {
    await tf.setBackend('cpu');
    const cpu = await firstGradient();
    const gpu = await requireNodeGpu();
    expect(await initTf('webgpu', { gpu })).toBe('webgpu');
    const webgpu = await firstGradient();
    const scale = Math.max(...cpu.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-4);
    let worst = 0;
    cpu.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - webgpu[i]!))));
    expect(worst / scale).toBeLessThan(1e-3);
  });
});
