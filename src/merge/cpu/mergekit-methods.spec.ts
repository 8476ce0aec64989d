import { describe, expect, it } from 'vitest';
import type { TensorMethodJob } from '../backend';
import { fixtureCheckpoints, fixtureJob, poolNames } from '../testing-fixture-pool';
import { readFixture, relativeError } from '../testing-read-fixture';
import { planMerge } from '../plan';
import { parseRecipe } from '../recipe/parse';
import { f32Raw } from '../testing';
import { mergeTensorCpu } from './index';

const fixture = readFixture('./mergekit.safetensors');
const settings = JSON.parse(fixture.metadata.settings!) as {
  nuslerp_weights: number[];
  multislerp_weights: number[];
  sce_topk: number;
  nearswap_t: number;
  ramplus: { r: number; alpha: number; epsilon: number };
};
const { names } = poolNames(fixture);

/** A job over the first `models` fixture models, with per-model weights when given. */
function job(
  method: string,
  name: string,
  o: { models: number; hasBase: boolean; global?: TensorMethodJob['global']; weights?: number[] },
): TensorMethodJob {
  const full = fixtureJob(fixture, method, name, o.global ?? {}, o.hasBase);
  return {
    ...full,
    models: full.models.slice(0, o.models),
    perModel: Array.from({ length: o.models }, (_, m): TensorMethodJob['global'] =>
      o.weights ? { weight: o.weights[m]! } : {},
    ),
  };
}

const CASES: [string, string, Parameters<typeof job>[2]][] = [
  ['nuslerp.flat', 'nuslerp', { models: 2, hasBase: false, weights: settings.nuslerp_weights }],
  [
    'nuslerp.rows',
    'nuslerp',
    {
      models: 2,
      hasBase: false,
      weights: settings.nuslerp_weights,
      global: { nuslerp_flatten: false },
    },
  ],
  [
    'nuslerp.cols',
    'nuslerp',
    {
      models: 2,
      hasBase: false,
      weights: settings.nuslerp_weights,
      global: { nuslerp_flatten: false, nuslerp_row_wise: true },
    },
  ],
  ['nuslerp.base', 'nuslerp', { models: 2, hasBase: true, weights: settings.nuslerp_weights }],
  [
    'multislerp.base',
    'multislerp',
    { models: 3, hasBase: true, weights: settings.multislerp_weights },
  ],
  [
    'multislerp.plain',
    'multislerp',
    { models: 3, hasBase: false, weights: settings.multislerp_weights },
  ],
  ['karcher', 'karcher', { models: 3, hasBase: false }],
  ['sce', 'sce', { models: 3, hasBase: true, global: { select_topk: settings.sce_topk } }],
  ['sce1', 'sce', { models: 3, hasBase: true }],
  ['nearswap', 'nearswap', { models: 1, hasBase: true, global: { t: settings.nearswap_t } }],
  ['arcee_fusion', 'arcee_fusion', { models: 1, hasBase: true }],
  ['ram', 'ram', { models: 3, hasBase: true }],
  ['ramplus_tl', 'ramplus_tl', { models: 3, hasBase: true, global: settings.ramplus }],
];

describe("mergekit's methods match a torch reimplementation of mergekit's formulas", () => {
  for (const [key, method, o] of CASES) {
    for (const name of names) {
      it(`${key} on ${name}`, () => {
        const got = mergeTensorCpu(job(method, name, o)).merged;
        expect(relativeError(got, fixture.f32(`${key}.${name}`))).toBeLessThan(1e-5);
      });
    }
  }
});

const single = (method: string, base: number[] | null, models: number[][], global = {}) =>
  mergeTensorCpu({
    kind: 'tensor_method',
    method,
    tensorName: 'x',
    shape: [models[0]!.length],
    numel: models[0]!.length,
    hasBase: base !== null,
    ...(base ? { base: f32Raw(base) } : {}),
    models: models.map(f32Raw),
    global,
    perModel: models.map(() => ({})),
  }).merged;

describe('hand-checkable cases', () => {
  it('nuslerp of orthogonal unit vectors at t = ½ is their normalised sum', () => {
    const out = single('nuslerp', null, [
      [1, 0],
      [0, 1],
    ]);
    expect(Array.from(out)).toEqual([Math.SQRT1_2, Math.SQRT1_2].map((v) => expect.closeTo(v, 6)));
  });
  it('karcher and multislerp of identical models return the model', () => {
    const m = [3, -4, 1];
    for (const method of ['karcher', 'multislerp'])
      expect(Array.from(single(method, null, [m, m]))).toEqual(m.map((v) => expect.closeTo(v, 5)));
  });
  it('nearswap takes the other value where |θ₀ − θ₁| ≤ t and moves t towards it elsewhere', () => {
    // |Δ| = 0.05 ≤ t → other; |Δ| = 1 → weight 0.1.
    const out = single('nearswap', [0, 0], [[0.05, 1]], { t: 0.1 });
    expect(Array.from(out)).toEqual([expect.closeTo(0.05, 7), expect.closeTo(0.1, 7)]);
  });
  it('ram averages shared entries and keeps unique ones; ramplus_tl boosts the unique ones', () => {
    const models = [
      [1, 2, 0],
      [3, 0, 0],
    ];
    expect(Array.from(single('ram', [0, 0, 0], models))).toEqual([2, 2, 0]);
    // Model 1: one shared, one unique entry → ρ = 1 → λ = 1 + 1·min(1, 10) = 2.
    expect(Array.from(single('ramplus_tl', [0, 0, 0], models, { r: 1, alpha: 10 }))).toEqual([
      2, 4, 0,
    ]);
  });
  it('multislerp of three models whose unit vectors cancel fails naming the tensor', () => {
    const models = [
      [1, 0],
      [-1, 0],
      [0, 0],
    ];
    expect(() => single('multislerp', null, models)).toThrow(
      /x: multislerp: the weighted sum of the unit vectors is zero/,
    );
  });
  it('passthrough copies, or scales', () => {
    expect(Array.from(single('passthrough', null, [[1, -2]]))).toEqual([1, -2]);
  });
});

describe('recipes', () => {
  const recipe = (yaml: string) => parseRecipe(yaml, 'r.yml').recipe;
  it('nuslerp with a base_model merges the two task vectors (the base is not a third model)', async () => {
    const ckpts = await fixtureCheckpoints(fixture);
    const plan = await planMerge(
      recipe(
        'merge_method: nuslerp\nbase_model: base\nmodels:\n  - model: task1\n    parameters: {weight: 1}\n  - model: task2\n    parameters: {weight: 2}\n',
      ),
      ckpts,
    );
    const step = plan.steps.find((s) => s.name === 'w');
    expect(step?.kind === 'merge' && step.inputs).toEqual(['base', 'task1', 'task2']);
    expect(step?.kind === 'merge' && step.job.kind === 'tensor_method' && step.job.hasBase).toBe(
      true,
    );
  });
  it('refuses nearswap without t, and a third model for nuslerp', async () => {
    const ckpts = await fixtureCheckpoints(fixture);
    await expect(
      planMerge(
        recipe('merge_method: nearswap\nbase_model: base\nmodels:\n  - model: task1\n'),
        ckpts,
      ),
    ).rejects.toThrow(/nearswap needs the parameter "t"/);
    await expect(
      planMerge(
        recipe(
          'merge_method: nuslerp\nmodels:\n  - model: task1\n  - model: task2\n  - model: task3\n',
        ),
        ckpts,
      ),
    ).rejects.toThrow(/nuslerp takes at most 2 model\(s\) besides the base, got 3/);
  });
});
