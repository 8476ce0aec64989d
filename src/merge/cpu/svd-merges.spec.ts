import { describe, expect, it } from 'vitest';
import { memorySinkFolder } from '../../io';
import { memorySource } from '../../io';
import { openSafetensors } from '../../io';
import type { TensorMethodJob } from '../backend';
import { executeMerge } from '../executor/index';
import { checkpointsOf, fixtureCheckpoints, fixtureJob, poolNames } from '../testing-fixture-pool';
import { readFixture, relativeError } from '../testing-read-fixture';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { f32Raw } from '../testing';
import { createCpuBackend, mergeTensorCpu } from './index';
import { isoCtsSizes, pyRound } from './svd-merges';
import { tensorMethodProblems } from './tensor-methods';

const fixture = readFixture('./svd_merges.safetensors');
const params = JSON.parse(fixture.metadata.params!) as Record<string, TensorMethodJob['global']>;
const { names } = poolNames(fixture);
const METHODS = ['tsv_m', 'iso_c', 'iso_cts', 'cart'] as const;

describe('SVD merges match the reference implementation of the official code (fixture)', () => {
  for (const method of METHODS) {
    for (const name of names) {
      it(`${method} on ${name} ${JSON.stringify(fixture.get(`pool.base.${name}`).shape)}`, () => {
        const job = fixtureJob(fixture, method, name, params[method]!);
        const got = mergeTensorCpu(job).merged;
        const want = fixture.f32(`${method}.${name}`);
        // Relative to the tensor's scale, and to the task vector's own scale.
        expect(relativeError(got, want)).toBeLessThan(1e-5);
        const base = fixture.f32(`pool.base.${name}`);
        const delta = (v: Float32Array) => v.map((x, i) => x - base[i]!);
        expect(relativeError(delta(got), delta(want))).toBeLessThan(1e-5);
      });
    }
  }
});

/** A 2 × 2 job from matrices given row-major. */
function job2x2(method: string, base: number[], models: number[][], global = {}): TensorMethodJob {
  return {
    kind: 'tensor_method',
    method,
    tensorName: 'w',
    shape: [2, 2],
    numel: 4,
    hasBase: true,
    base: f32Raw(base),
    models: models.map(f32Raw),
    global,
    perModel: models.map(() => ({})),
  };
}

describe('hand-checkable cases', () => {
  const zero = [0, 0, 0, 0];
  it('tsv_m: task vectors in orthogonal directions are summed unchanged', () => {
    // τ₁ = 3·e₁e₁ᵀ, τ₂ = e₂e₂ᵀ: the stacked U and V are already orthonormal.
    const out = mergeTensorCpu(
      job2x2('tsv_m', zero, [
        [3, 0, 0, 0],
        [0, 0, 0, 1],
      ]),
    ).merged;
    expect(Array.from(out)).toEqual([3, 0, 0, 1].map((v) => expect.closeTo(v, 6)));
  });
  it('iso_c: diag(3, 1) summed becomes mean(S)·I = 2·I, times alpha, plus the base', () => {
    const out = mergeTensorCpu(
      job2x2(
        'iso_c',
        [1, 1, 1, 1],
        [
          [3, 1, 1, 1],
          [2, 1, 1, 2],
        ],
        { alpha: 0.5 },
      ),
    ).merged;
    expect(Array.from(out)).toEqual([2, 1, 1, 2].map((v) => expect.closeTo(v, 6)));
  });
  it('cart: identical models are their own average (the centred vectors vanish)', () => {
    const m = [0.5, -1, 2, 0.25];
    const out = mergeTensorCpu(job2x2('cart', zero, [m, m], { alpha: 2, rank_ratio: 0.5 })).merged;
    expect(Array.from(out)).toEqual(m.map((v) => expect.closeTo(v, 6)));
  });
  it('non-2-D tensors get the mean task vector (tsv_m, iso_c, iso_cts) or the average (cart)', () => {
    for (const method of METHODS) {
      const job: TensorMethodJob = {
        ...job2x2(
          method,
          [1, 1, 1, 1],
          [
            [3, 1, 1, 1],
            [1, 1, 1, 3],
          ],
          { alpha: 1 },
        ),
        shape: [4],
      };
      expect(Array.from(mergeTensorCpu(job).merged)).toEqual([2, 1, 1, 2]);
    }
  });
  it('iso_cts sizes follow the official rounding (Python round, half to even)', () => {
    expect([pyRound(0.5), pyRound(1.5), pyRound(2.5), pyRound(1.667)]).toEqual([0, 2, 2, 2]);
    expect(isoCtsSizes(24, 3, 0.8)).toEqual({ common: 18, perTask: 2 });
    expect(isoCtsSizes(16, 3, 0.8)).toEqual({ common: 13, perTask: 1 });
    expect(isoCtsSizes(768, 8, 0.8)).toEqual({ common: 616, perTask: 19 });
  });
});

const recipe = (method: string, tasks: number, parameters = '') =>
  parseRecipe(
    `merge_method: ${method}\nbase_model: base\nmodels:\n${Array.from({ length: tasks }, (_, t) => `  - model: task${t + 1}\n`).join('')}${parameters}`,
    'r.yml',
  ).recipe;

describe('per-tensor checks', () => {
  it('iso_cts refuses a fraction that leaves a negative common space, naming the tensor', () => {
    // r = 3, T = 2, fraction 0: c = 3 − round(1.5)·2 = −1.
    const template = { ...job2x2('iso_cts', [0, 0, 0, 0], [[1], [1]], {}), shape: [3, 4] };
    template.global = { common_space_fraction: 0 };
    expect(tensorMethodProblems(template)).toEqual([
      'w: iso_cts: common_space_fraction 0 leaves no common space for a rank-3 matrix and 2 tasks',
    ]);
    template.global = { common_space_fraction: 0.8 };
    expect(tensorMethodProblems(template)).toEqual([]);
  });
});

describe('through the planner and executor', () => {
  it('writes what mergeTensorCpu computes, for every method', async () => {
    const ckpts = await fixtureCheckpoints(fixture);
    for (const method of METHODS) {
      const plan = await planMerge(recipe(method, 3), ckpts);
      const folder = memorySinkFolder();
      await executeMerge(plan, createCpuBackend(), folder);
      const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'o'));
      for (const name of names) {
        const step = plan.steps.find((s) => s.name === name);
        if (step?.kind !== 'merge' || step.job.kind !== 'tensor_method') throw new Error(name);
        const job = fixtureJob(fixture, method, name, step.job.global);
        const got = new Float32Array((await file.readRaw(name)).slice().buffer);
        expect(Array.from(got)).toEqual(Array.from(mergeTensorCpu(job).merged));
      }
    }
  });

  it('refuses a pool without 2-D tensors, naming the method', async () => {
    const ckpts = await checkpointsOf(
      [0, 1, 2].map((m) => [{ name: 'norm.weight', shape: [4], values: [m, 1, 2, 3] }]),
    );
    await expect(planMerge(recipe('tsv_m', 2), ckpts)).rejects.toThrow(
      /tsv_m merges weight matrices.*none of the 1 merged tensors is 2-D/,
    );
  });

  it('refuses too few models and fractions out of range', async () => {
    const ckpts = await fixtureCheckpoints(fixture);
    await expect(planMerge(recipe('iso_c', 1), ckpts)).rejects.toThrow(
      /iso_c needs at least 2 model\(s\) besides the base, got 1/,
    );
    await expect(
      planMerge(recipe('cart', 2, 'parameters: {rank_ratio: 1.5}\n'), ckpts),
    ).rejects.toThrow(/parameter "rank_ratio" = 1.5 is above the maximum 1/);
    await expect(
      planMerge(recipe('iso_cts', 2, 'parameters: {common_space_fraction: -0.1}\n'), ckpts),
    ).rejects.toThrow(/"common_space_fraction" = -0.1 is below the minimum 0/);
  });
});
