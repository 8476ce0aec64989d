import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elementUniform, nameHash, streamKey } from '../../merge';
import { withValidationScope } from '../runtime/gpu-errors';
import { GpuRuntime } from '../runtime/runtime';
import { requireNodeGpu } from '../testing/node-test-gpu';
import { gpuUniforms } from './rng-probe';

let rt: GpuRuntime;
beforeAll(async () => {
  rt = new GpuRuntime(await requireNodeGpu());
});
afterAll(() => rt?.dispose());

describe('random.wgsl', () => {
  const cases: [string, number, number, number][] = [
    ['layers.0.w', 42, 0, 0],
    ['embed', 7, 3, 1_000_000],
    ['x', 0xffffffff, 1, 0xfffff000],
  ];
  for (const [name, seed, model, first] of cases) {
    it(`draws the same uniforms as random.ts bit for bit (${name}, seed ${seed}, from ${first})`, async () => {
      const key = streamKey(seed, model, nameHash(name));
      const count = 200_003;
      const gpu = await withValidationScope(rt.device, () => gpuUniforms(rt, key, first, count));
      let mismatches = 0;
      for (let i = 0; i < count; i++) {
        if (gpu[i] !== elementUniform(key, (first + i) >>> 0)) mismatches++;
      }
      expect(mismatches).toBe(0);
      // Not a constant stream: a third of the values fall below 1/3.
      const below = gpu.filter((u) => u < 1 / 3).length / count;
      expect(below).toBeGreaterThan(0.32);
      expect(below).toBeLessThan(0.35);
    });
  }
});
