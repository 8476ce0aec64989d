import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { memorySource, openSingleCheckpoint, type Checkpoint } from '../../io';
import { linearSteps, paramsToBytes, planMerge, type Recipe } from '../../merge';
import type { NamedArray } from '../../models';
import { TaskVectorCache } from './weights-cache';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const arr = (...data: number[]): NamedArray => ({
  shape: [data.length],
  data: Float32Array.from(data),
});

/** θ₀, A, B: two blocks (for LiNeS) and a task-specific head per model. */
async function models(): Promise<Map<string, Checkpoint>> {
  const files: Record<string, Record<string, NamedArray>> = {
    base: { 'blocks.0.w': arr(1, 2), 'blocks.1.w': arr(0, 0) },
    a: { 'blocks.0.w': arr(2, 2), 'blocks.1.w': arr(1, -1), 'head.a': arr(9) },
    b: { 'blocks.0.w': arr(1, 4), 'blocks.1.w': arr(2, 2), 'head.b': arr(7) },
  };
  const out = new Map<string, Checkpoint>();
  for (const [name, tensors] of Object.entries(files)) {
    const bytes = await paramsToBytes(new Map(Object.entries(tensors)));
    out.set(name, await openSingleCheckpoint(memorySource(bytes, `${name}.safetensors`), name));
  }
  return out;
}

function recipe(
  method: string,
  weights: [number, number],
  parameters: Recipe['parameters'],
  extra: Partial<Recipe> = {},
): Recipe {
  return {
    mergeMethod: method,
    baseModel: 'base',
    models: [
      { model: 'a', parameters: { weight: weights[0] } },
      { model: 'b', parameters: { weight: weights[1] } },
    ],
    parameters,
    taskSpecific: ['head.'],
    ...extra,
  };
}

async function mergeDirect(r: Recipe, cache = new TaskVectorCache()) {
  const inputs = await models();
  const steps = linearSteps(await planMerge(r, inputs));
  expect(steps, 'a linear recipe takes the direct path').not.toBeNull();
  const merged = await cache.merge(steps!, inputs);
  const out = Object.fromEntries([...merged].map(([n, t]) => [n, Array.from(t.dataSync())]));
  merged.forEach((t) => t.dispose());
  return out;
}

const close = (got: number[] | undefined, want: number[]) => {
  expect(got).toHaveLength(want.length);
  want.forEach((w, i) => expect(got![i]).toBeCloseTo(w, 5));
};

// τ_a = ([1, 0], [1, −1]), τ_b = ([0, 2], [2, 2]); the numbers below are worked by hand.
describe('the direct task-arithmetic path', () => {
  it('θ₀ + λ Σ wτ: weights 0.5 and 2, λ 0.3', async () => {
    const m = await mergeDirect(recipe('task_arithmetic', [0.5, 2], { lambda: 0.3 }));
    close(m['blocks.0.w'], [1.15, 3.2]); // 1 + 0.3·0.5, 2 + 0.3·4
    close(m['blocks.1.w'], [1.35, 1.05]); // 0.3·[4.5, 3.5]
    expect(Object.keys(m).sort()).toEqual(['blocks.0.w', 'blocks.1.w']); // heads not merged
  });

  it('normalize divides by Σw = 2.5', async () => {
    const m = await mergeDirect(
      recipe('task_arithmetic', [0.5, 2], { lambda: 1, normalize: true }),
    );
    close(m['blocks.0.w'], [1.2, 3.6]);
    close(m['blocks.1.w'], [1.8, 1.4]);
  });

  it('LiNeS scales block 0 by α and block 1 by α + β', async () => {
    const m = await mergeDirect(
      recipe('task_arithmetic', [1, 1], { lambda: 1, lines_alpha: 0.5, lines_beta: 1 }),
    );
    close(m['blocks.0.w'], [1.5, 3]); // θ₀ + 0.5·[1, 2]
    close(m['blocks.1.w'], [4.5, 1.5]); // 1.5·[3, 1]
  });

  it('a weight of 0 leaves that model out; the cache gives the same on a second call', async () => {
    const cache = new TaskVectorCache();
    const first = await mergeDirect(recipe('task_arithmetic', [1, 0], { lambda: 1 }), cache);
    close(first['blocks.0.w'], [2, 2]); // = model a
    const again = await mergeDirect(recipe('task_arithmetic', [0, 1], { lambda: 1 }), cache);
    close(again['blocks.1.w'], [2, 2]); // = model b
  });

  it('leaves consensus, sparsified and non-f32 merges to the engine', async () => {
    const inputs = await models();
    const ties = recipe('ties', [1, 1], { lambda: 1, density: 0.5 });
    expect(linearSteps(await planMerge(ties, inputs))).toBeNull();
    const bf16 = recipe('task_arithmetic', [1, 1], { lambda: 1 }, { dtype: 'bfloat16' });
    expect(linearSteps(await planMerge(bf16, inputs))).toBeNull();
    const lin = recipe('linear', [1, 1], {});
    expect(linearSteps(await planMerge(lin, inputs))).toBeNull();
  });
});
