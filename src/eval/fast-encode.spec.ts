import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEncoder, imagesToTensor, toTensors, vitEncode, type VitConfig } from '../models';
import { encodePatches, toPatches } from './fast-encode';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function pixels(count: number, side: number, seed: number): Uint8Array {
  let x = seed >>> 0;
  return Uint8Array.from({ length: count * side * side }, () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x >>> 24;
  });
}

describe('encodePatches', () => {
  // Two shapes: several heads and blocks, and the zoo's own configuration.
  const configs: VitConfig[] = [
    { imageSize: 8, patchSize: 4, dim: 12, depth: 2, heads: 3, mlpDim: 20, eps: 1e-5 },
    { imageSize: 28, patchSize: 7, dim: 48, depth: 4, heads: 4, mlpDim: 96, eps: 1e-5 },
  ];
  for (const config of configs) {
    it(`gives vitEncode's features (dim ${config.dim}, ${config.heads} heads, depth ${config.depth})`, () => {
      const params = toTensors(initEncoder(config, 7));
      const n = 5;
      const images = imagesToTensor(pixels(n, config.imageSize, 3), n, config.imageSize);
      const reference = vitEncode(params, images, config);
      const patches = toPatches(images, config);
      const fast = encodePatches(params, patches, config);
      expect(fast.shape).toEqual([n, config.dim]);
      const want = reference.dataSync();
      const got = fast.dataSync();
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst).toBeLessThan(1e-4);
      // Features are LayerNorm outputs: far from all-equal, so agreement is not trivial.
      expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.5);
      for (const t of [...params.values(), images, reference, patches, fast]) t.dispose();
    });
  }
});
