import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateClipPool, TINY_CLIP, VIT_B32_CLIP } from '../../eval/testing/clip-pool';
import { parseClipConfig } from '../../models';
import { clipModelConfigJson } from '../../eval/testing/clip-pool';
import {
  clipAdaMergingFootprint,
  footprintProblem,
  wasmHeapProblem,
  WASM_HEAP_BYTES,
} from './footprint';
import { clipHostProblem, uploadClipProblem } from './problem';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('CLIP AdaMerging device footprint', () => {
  it('parameters + task vectors + heads equal what the upload actually holds', () => {
    const tasks = ['a', 'b', 'c'];
    const pool = generateClipPool(TINY_CLIP, tasks, { seed: 1, eosTokenId: 2, bosTokenId: 1 });
    const dim = TINY_CLIP.projectionDim;
    const heads = [3, 5, 2].map((classes) => ({
      weight: new Float32Array(classes * dim),
      classes,
      dim,
    }));
    const host = clipHostProblem({
      config: pool.config,
      base: pool.base,
      finetunes: tasks.map((task) => ({ task, vision: pool.finetunes.get(task)! })),
      projection: pool.base.get('visual_projection.weight')!,
      logitScale: 2.6,
      heads,
      plus: false,
      density: 0.2,
    });
    const before = tf.memory().numBytes;
    const device = uploadClipProblem(host);
    const held = tf.memory().numBytes - before;
    device.dispose();
    const f = clipAdaMergingFootprint(pool.config, tasks.length, 0, [3, 5, 2]);
    expect(f.parameterBytes + f.taskVectorBytes + f.headBytes).toBe(held);
  });

  it('ViT-B/32: 20 tasks overflow a 128 MiB binding limit in one stack, 14 do not', () => {
    const config = parseClipConfig(clipModelConfigJson(VIT_B32_CLIP, 49407, 49406), 'config.json');
    const limits = { maxBufferSize: 2 ** 28, maxStorageBufferBindingSize: 2 ** 27 };
    const eight = clipAdaMergingFootprint(config, 8, 128, Array(8).fill(10));
    expect(footprintProblem(eight, limits)).toBeNull();
    const fourteen = clipAdaMergingFootprint(config, 14, 224, Array(14).fill(10));
    // The patch embedding [768, 3, 32, 32] and fc1/fc2 hold 768 · 3072 values each: 9 MiB a task.
    expect(fourteen.largestBuffer.bytes).toBe(14 * 3072 * 768 * 4); // 126.0 MiB: fits
    expect(footprintProblem(fourteen, limits)).toBeNull();
    const twenty = clipAdaMergingFootprint(config, 20, 320, Array(20).fill(10));
    expect(footprintProblem(twenty, limits)).toMatch(
      /take 180\.0 MiB in one buffer, over this adapter's 128\.0 MiB limit/,
    );
    // θ₀ of the vision tower: ≈ 88M parameters.
    expect(eight.parameterBytes / 4).toBeGreaterThan(87e6);
    expect(eight.parameterBytes / 4).toBeLessThan(89e6);
  });

  it('tfjs-wasm: ViT-B/32 with 8 tasks is refused up front (its 4 GiB heap), 2 tasks of 2 images and the tiny CLIP are not', () => {
    const config = parseClipConfig(clipModelConfigJson(VIT_B32_CLIP, 49407, 49406), 'config.json');
    const eight = clipAdaMergingFootprint(config, 8, 128, Array(8).fill(10));
    expect(eight.totalBytes + eight.parameterBytes).toBeGreaterThan(WASM_HEAP_BYTES);
    expect(wasmHeapProblem(eight)).toMatch(/need ≈ \d+\.\d\d GiB, over tfjs-wasm's 4\.00 GiB heap/);
    const two = clipAdaMergingFootprint(config, 2, 4, [10, 10]);
    expect(two.totalBytes + two.parameterBytes).toBeLessThan(WASM_HEAP_BYTES);
    expect(wasmHeapProblem(two)).toBeNull();
    const tinyConfig = parseClipConfig(clipModelConfigJson(TINY_CLIP, 2, 1), 'config.json');
    expect(
      wasmHeapProblem(clipAdaMergingFootprint(tinyConfig, 8, 128, Array(8).fill(10))),
    ).toBeNull();
  });
});
