import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../tf';
import type { Params } from '../../core';
import { taskArithmeticMerge, tiesMerge, zooMerge } from '../../eval';
import { memorySource, openSafetensors } from '../../io';
import {
  mergeParams,
  paramsFromBytes,
  parseRecipe,
  tiesSelectedTaskVectors as tiesSelect,
} from '../../merge';
import { requireNodeGpu } from '../../gpu/testing/node-test-gpu';
import { adamergingRecipe, mergedCheckpoint } from './export';
import { firstStepGradient, lossAt } from './gradient';
import { PauseToken } from './pause';
import { hostProblem, mergedEncoder, prepareProblem } from './problem';
import { runAdaMerging } from './run';
import { syntheticZoo } from '../../zoo/testing/synthetic-zoo';
import type { StepEvent } from './types';

const zoo = syntheticZoo({ tasks: 3, images: 32 });
// batchSize = every image of the (synthetic) test set: each step sees the same images, so the
// step losses are comparable and "entropy falls" is not hidden by batch noise.
const FULL = { batchSize: 32, seed: 3 } as const;

beforeAll(async () => {
  await initTf('cpu');
});

const p = (entries: Record<string, number[]>): Params =>
  new Map(
    Object.entries(entries).map(([n, d]) => [n, { shape: [d.length], data: Float32Array.from(d) }]),
  );
const plain = (v: Params): Record<string, number[]> =>
  Object.fromEntries([...v].map(([n, t]) => [n, Array.from(t.data)]));

describe('AdaMerging++ TIES selection (hand-worked, METHODS.md)', () => {
  it('trims at model scope keeping ties, elects by mass (0 → majority), keeps agreeing entries', () => {
    // density 0.4 of 5 entries → k = 2 per task.
    // τ1 magnitudes 3,1,.5,4,1 → threshold 3 → a=[3,0] b=[0,-4,0]
    // τ2 magnitudes 3,2,2,1,.2 → threshold 2 (tie at 2 kept) → a=[-3,2] b=[2,0,0]
    // Σ: a=[0,2] b=[2,-4,0] → signs a=[0,+] b=[+,-,0]; sign sum +1 → zeros become +.
    const out = tiesSelect(
      [p({ a: [3, -1], b: [0.5, -4, 1] }), p({ a: [-3, 2], b: [2, -1, 0.2] })],
      0.4,
    );
    expect(plain(out[0]!)).toEqual({ a: [3, 0], b: [0, -4, 0] });
    expect(plain(out[1]!)).toEqual({ a: [0, 2], b: [2, 0, 0] });
  });
});

describe('merged weights θ₀ + Σ clamp(λ)·τ', () => {
  it('matches a plain-JS merge per tensor, with and without the clamp', async () => {
    const problem = prepareProblem(hostProblem(zoo, { plus: false, density: 0.2 }));
    const L = problem.tensorNames.length;
    const lambdas = [0, 1, 2].map((k) =>
      Array.from({ length: L }, (_, l) => -0.5 + 0.1 * k + 0.07 * l),
    );
    for (const clamp of [true, false]) {
      const merged = mergedEncoder(problem, tf.tensor2d(lambdas), clamp);
      for (const [l, name] of problem.tensorNames.entries()) {
        const b = zoo.base.get(name)!.data;
        const expected = Array.from(b, (x, i) => {
          let v = x;
          zoo.manifest.tasks.forEach((t, k) => {
            const raw = lambdas[k]![l]!;
            const lam = clamp ? Math.min(1, Math.max(0, raw)) : raw;
            v += lam * (zoo.checkpoints.get(t.name)!.get(name)!.data[i]! - x);
          });
          return v;
        });
        const got = await merged.get(name)!.data();
        expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 4));
      }
      tf.dispose([...merged.values()]);
    }
    problem.dispose();
  });
});

// The oracle (cross-entropy against the labels) goes through the same check as AdaMerging's
// entropy: same λ, same sampler, same clamp; only the loss differs.
describe.each([
  ['entropy', {}],
  ['cross-entropy', { objective: 'cross-entropy', engine: 'tfjs' }],
] as const)('gradient of the %s loss', (_, objective) => {
  // Central differences in float64 arithmetic of a float32 loss of size ~3: with h = 1e-2 the
  // truncation error is O(h²·|f'''|) ≈ 1e-4 and rounding ≈ 3e-7/h ≈ 3e-5.
  it.each([
    ['task', [0, 1, 2].map((k) => [k, 0] as const)],
    [
      'layer',
      [
        [0, 0],
        [1, 5],
        [2, 12],
      ] as const,
    ],
  ] as const)('%s-wise matches central finite differences', async (mode, entries) => {
    const options = { mode, ...FULL, ...objective } as const;
    const probe = await firstStepGradient(zoo, options);
    const [T, L] = probe.shape;
    expect(T).toBe(3);
    expect(L).toBe(mode === 'task' ? 1 : zoo.base.size);
    const h = 1e-2;
    for (const [k, l] of entries) {
      const at = (delta: number): number[][] =>
        Array.from({ length: T }, (_, r) =>
          Array.from({ length: L }, (_, c) => 0.3 + (r === k && c === l ? delta : 0)),
        );
      const fd =
        ((await lossAt(zoo, options, at(h))) - (await lossAt(zoo, options, at(-h)))) / (2 * h);
      const g = probe.gradient[k * L + l]!;
      expect(Math.abs(g - fd)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    }
    expect(probe.gradient.some((g) => Math.abs(g) > 1e-4)).toBe(true);
  });
});

describe('runAdaMerging', () => {
  it('layer-wise: entropy falls, λ moves from 0.3, one event per step, evals every N', async () => {
    const steps: StepEvent[] = [];
    const evals: number[] = [];
    const { result, merged } = await runAdaMerging(
      zoo,
      { mode: 'layer', ...FULL, lr: 0.05, steps: 12, evalEvery: 5 },
      { onStep: (e) => steps.push(e), onEval: (e) => evals.push(e.step) },
    );
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(evals).toEqual([5, 10, 12]);
    expect(steps.at(-1)!.entropyTotal).toBeLessThan(steps[0]!.entropyTotal - 0.01);
    expect(result.lastEntropy).toBe(steps.at(-1)!.entropyTotal);
    const moved = result.lambdas.flat().map((x) => Math.abs(x - 0.3));
    expect(Math.max(...moved)).toBeGreaterThan(0.1);
    expect(result.lambdas.flat().every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(steps[0]!.lambdas.length).toBe(3);
    expect(steps[0]!.lambdas[0]!.length).toBe(zoo.base.size);
    expect(merged.size).toBe(zoo.base.size);
    // The recipe records exactly the learned λ, per task and per tensor.
    const recipe = adamergingRecipe(result, zoo);
    expect(recipe.mergeMethod).toBe('task_arithmetic');
    const w = recipe.models[1]!.parameters.weight as { filter: string; value: number }[];
    expect(w.map((e) => e.filter)).toEqual(result.tensorNames);
    w.forEach((e, l) => expect(e.value).toBeCloseTo(result.lambdas[1]![l]!, 5));
  });

  it('is reproducible from the seed, and the seed matters', async () => {
    const run = async (seed: number) =>
      (await runAdaMerging(zoo, { mode: 'task', batchSize: 8, seed, lr: 0.05, steps: 3 })).result
        .lambdas;
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });

  it('pauses between steps, resumes, and cancels with the abort reason', async () => {
    const token = new PauseToken();
    const controller = new AbortController();
    let seen = 0;
    const running = runAdaMerging(
      zoo,
      { mode: 'task', batchSize: 4, steps: 50 },
      {
        pauseToken: token,
        signal: controller.signal,
        onStep: (e) => {
          seen = e.step;
          if (e.step === 2) token.pause();
        },
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toBe(2);
    token.resume();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toBeGreaterThan(2);
    controller.abort(new Error('user cancelled'));
    await expect(running).rejects.toThrow('user cancelled');
    expect(seen).toBeLessThan(50);
  });

  it('exports what the merge engine makes of the exported recipe, bit for bit (++ too)', async () => {
    for (const [mode, plus] of [
      ['task', false],
      ['layer', false],
      ['task', true],
      ['layer', true],
    ] as const) {
      const { result, merged } = await runAdaMerging(zoo, {
        mode,
        plus,
        ...FULL,
        lr: 0.05,
        steps: 3,
      });
      const bytes = await mergedCheckpoint(result, merged, zoo);
      const file = await paramsFromBytes(bytes, 'out');
      // Re-running the recipe the file carries, as a user would from the exported YAML.
      const { metadata } = await openSafetensors(memorySource(bytes, 'out'));
      const { recipe } = parseRecipe(metadata.merge_studio_recipe!);
      const inputs = new Map([[zoo.manifest.base.checkpoint, zoo.base]]);
      for (const t of zoo.manifest.tasks) inputs.set(t.checkpoint, zoo.checkpoints.get(t.name)!);
      const again = await mergeParams(recipe, inputs);
      expect([...file.keys()].sort()).toEqual(
        [...merged.keys(), ...zoo.manifest.tasks.flatMap((t) => t.headTensors)].sort(),
      );
      for (const name of merged.keys()) {
        expect(Array.from(file.get(name)!.data), name).toEqual(Array.from(again.get(name)!.data));
        // …and that is the learned merge (for ++: over the unweighted TIES selection) up to the
        // recipe's rounding of λ to 1e-6.
        merged.get(name)!.data.forEach((v, i) => expect(file.get(name)!.data[i]).toBeCloseTo(v, 4));
      }
    }
  });

  it('AdaMerging++ learns over TIES-selected vectors (recipe says ties, model scope)', async () => {
    const { result } = await runAdaMerging(zoo, { mode: 'task', plus: true, ...FULL, steps: 2 });
    const recipe = adamergingRecipe(result, zoo);
    expect(recipe.mergeMethod).toBe('ties');
    expect(recipe.parameters.trim_scope).toBe('model');
    expect(recipe.parameters.elect).toBe('unweighted');
    expect(recipe.models[0]!.parameters.density).toBe(0.2);
  });
});

describe('webgpu (Node, Dawn) vs cpu', () => {
  afterAll(async () => {
    await initTf('cpu');
  });
  it('agree on the first step’s gradient', async () => {
    const options = { mode: 'layer', ...FULL } as const;
    await initTf('cpu');
    const cpu = await firstStepGradient(zoo, options);
    const gpu = await requireNodeGpu();
    expect(await initTf('webgpu', { gpu })).toBe('webgpu');
    const onGpu = await firstStepGradient(zoo, options);
    expect(onGpu.backend).toBe('webgpu');
    // float32 on both sides, different reduction orders (matMul tiles, softmax/mean trees):
    // observed differences are ~1e-6 relative; 1e-3 of the largest |g| leaves room but would
    // still catch a wrong kernel (which is off by O(1)).
    const scale = Math.max(...cpu.gradient.map(Math.abs));
    onGpu.gradient.forEach((g, i) =>
      expect(Math.abs(g - cpu.gradient[i]!)).toBeLessThan(1e-3 * scale),
    );
    onGpu.lossPerTask.forEach((l, k) => expect(l).toBeCloseTo(cpu.lossPerTask[k]!, 4));
  });
});

describe('at λ = 0.3 the merges equal the merge engine’s recipes', () => {
  it('AdaMerging = task arithmetic (0.3); AdaMerging++ = TIES (model scope, disjoint sum, 0.3)', async () => {
    // The merge engine's task arithmetic and TIES recipes (src/eval/zoo-merges.ts).
    const expected = {
      plain: await zooMerge(zoo, taskArithmeticMerge(0.3)),
      plus: await zooMerge(zoo, tiesMerge({ density: 0.2, disjoint: 'sum', lambda: 0.3 })),
    };
    for (const plus of [false, true]) {
      const problem = prepareProblem(hostProblem(zoo, { plus, density: 0.2 }));
      const merged = mergedEncoder(problem, tf.fill([3, 1], 0.3) as tf.Tensor2D, true);
      const want = plus ? expected.plus : expected.plain;
      for (const [name, t] of merged) {
        const got = await t.data();
        want.get(name)!.data.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 4));
      }
      tf.dispose([...merged.values()]);
      problem.dispose();
    }
  });
});
