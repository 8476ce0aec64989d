import { describe, expect, it } from 'vitest';
import {
  openShardedCheckpoint,
  openSingleCheckpoint,
  type Checkpoint,
  openSafetensors,
  memorySink,
  memorySinkFolder,
  memorySource,
} from '../../io';
import { makeValidSafetensors } from '../../io/testing/safetensors-builder';
import type { RawTensor, TensorJob } from '../backend';
import { createCpuBackend, mergeTensorCpu } from '../cpu/index';
import { layerIndexOf } from '../layers';
import { planMerge } from '../plan';
import { MergePlanError } from '../planning/types';
import { parseRecipe } from '../recipe/parse';
import { POOL_LAYERS, poolCheckpoints, poolTensors } from '../testing-pool';
import { executeMerge } from './index';

const recipeOf = (yaml: string) => parseRecipe(yaml, 'test.yml').recipe;

async function run(yaml: string, tasks = 2, opts: Parameters<typeof executeMerge>[3] = {}) {
  const ckpts = await poolCheckpoints(tasks);
  const plan = await planMerge(recipeOf(yaml), ckpts);
  const folder = memorySinkFolder();
  const summary = await executeMerge(plan, createCpuBackend(), folder, opts);
  const single = folder.files.get('model.safetensors');
  const file = await openSafetensors(memorySource(single ?? new Uint8Array(8), 'out')).catch(
    () => null as never,
  );
  return { ckpts, plan, folder, summary, file };
}

async function raw(ckpt: Checkpoint, name: string): Promise<RawTensor> {
  return {
    dtype: ckpt.tensors.get(name)!.info.dtype as RawTensor['dtype'],
    bytes: await ckpt.readRaw(name),
  };
}

function expectClose(got: Float32Array, want: Float32Array, what: string) {
  expect(got.length, what).toBe(want.length);
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs((got[i] as number) - (want[i] as number));
    // `!(err <= tol)` also fails on NaN.
    if (!(err <= 1e-6 * Math.max(scale, 1e-30)))
      expect.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

const MERGED = ['model.embed.weight', 'model.norm.weight'].concat(
  Array.from({ length: POOL_LAYERS }, (_, l) => [
    `model.layers.${l}.attn.weight`,
    `model.layers.${l}.norm.bias`,
  ]).flat(),
);

const ta = (over: Partial<TensorJob & { kind: 'task_arithmetic' }>) => ({
  kind: 'task_arithmetic' as const,
  weights: [1, 1],
  densities: [1, 1],
  gammas: [0, 0],
  epsilons: [0, 0],
  consensus: 'none' as const,
  sparsifier: 'none' as const,
  rescale: 'none' as const,
  normalize: false,
  lambda: 1,
  seed: 0,
  zeroSign: 'positive' as const,
  majoritySign: 0,
  rowWise: false,
  deltaScale: 1,
  ...over,
});

const T = (l: number | null) => (l === null ? 0 : l / (POOL_LAYERS - 1));

/** Per method: a recipe and, independently, the job the recipe must produce for a tensor. */
const CASES: { method: string; yaml: string; tasks?: number; job: (l: number | null) => object }[] =
  [
    {
      method: 'task_arithmetic',
      yaml: 'base_model: base\nmodels: [{model: task1}, {model: task2, parameters: {weight: 0.5}}]\nparameters: {lambda: 0.3}',
      job: () => ta({ weights: [1, 0.5], lambda: 0.3 }),
    },
    {
      method: 'ties',
      yaml: 'base_model: base\nmodels: [base, {model: task1, parameters: {density: [1, 0.5]}}, task2]\nparameters: {density: 0.6}',
      job: (l) =>
        ta({
          consensus: 'sum',
          sparsifier: 'magnitude',
          normalize: true,
          densities: [1 - 0.5 * T(l), 0.6],
        }),
    },
    {
      method: 'dare_linear',
      yaml: 'base_model: base\nmodels: [task1, task2]\nparameters: {density: 0.5}\nrandom_seed: 5',
      job: () => ta({ sparsifier: 'random', densities: [0.5, 0.5], rescale: 'l1', seed: 5 }),
    },
    {
      method: 'dare_ties',
      yaml: 'base_model: base\nmodels: [task1, task2]\nparameters: {density: 0.7, rescale: inverse_density}\nrandom_seed: 9',
      job: () =>
        ta({
          consensus: 'sum',
          sparsifier: 'random',
          densities: [0.7, 0.7],
          rescale: 'inverse_density',
          seed: 9,
        }),
    },
    {
      method: 'breadcrumbs',
      yaml: 'base_model: base\nmodels: [task1, task2]\nparameters: {density: 0.5, gamma: 0.1}',
      job: () =>
        ta({ sparsifier: 'magnitude_outliers', densities: [0.5, 0.5], gammas: [0.1, 0.1] }),
    },
    {
      method: 'breadcrumbs_ties',
      yaml: 'base_model: base\nmodels: [task1, task2]\nparameters: {density: 0.6, gamma: 0.2, row_wise: true}',
      job: () =>
        ta({
          consensus: 'sum',
          sparsifier: 'magnitude_outliers',
          densities: [0.6, 0.6],
          gammas: [0.2, 0.2],
          rowWise: true,
        }),
    },
    {
      method: 'della',
      yaml: 'base_model: base\nmodels: [task1, task2]\nparameters: {density: 0.5, epsilon: 0.1}\nrandom_seed: 3',
      job: () =>
        ta({
          consensus: 'sum',
          sparsifier: 'della_magprune',
          densities: [0.5, 0.5],
          epsilons: [0.1, 0.1],
          normalize: true,
          rescale: 'l1',
          seed: 3,
        }),
    },
    {
      method: 'della_linear',
      yaml: 'base_model: base\nmodels: [task1, task2]\nparameters: {density: 0.4, epsilon: 0.2, lines_alpha: 0.5, lines_beta: 1}',
      job: (l) =>
        ta({
          sparsifier: 'della_magprune',
          densities: [0.4, 0.4],
          epsilons: [0.2, 0.2],
          rescale: 'l1',
          deltaScale: 0.5 + T(l),
        }),
    },
    {
      method: 'linear',
      yaml: 'models: [base, {model: task1, parameters: {weight: 2}}, {model: task2, parameters: {weight: 3}}]',
      job: () => ({ kind: 'linear', weights: [1, 2, 3], normalize: true }),
    },
    {
      method: 'slerp',
      yaml: 'base_model: base\nmodels: [base, task1]\nparameters: {t: 0.3}',
      tasks: 1,
      job: () => ({ kind: 'slerp', t: 0.3 }),
    },
    {
      method: 'model_stock',
      yaml: 'base_model: base\nmodels: [task1, task2, task3]\nparameters: {filter_wise: true}',
      tasks: 3,
      job: () => ({ kind: 'model_stock', filterWise: true }),
    },
    {
      method: 'consensus',
      yaml: 'base_model: base\nmodels: [{model: task1, parameters: {mask_lambda: 0.3}}, {model: task2, parameters: {mask_lambda: 0.5}}]\nparameters: {k: 1, alpha: 0.7}',
      job: () => ({
        kind: 'consensus',
        maskLambdas: [0.3, 0.5],
        k: 1,
        alpha: 0.7,
        emitTaskModels: false,
      }),
    },
  ];

describe('executeMerge: every method equals the CPU reference on hand-built jobs', () => {
  for (const c of CASES) {
    it(c.method, async () => {
      const { ckpts, file, summary } = await run(
        `merge_method: ${c.method}\n${c.yaml}\nmerge_studio: {task_specific: [heads.]}`,
        c.tasks ?? 2,
      );
      const n = c.tasks ?? 2;
      const keys = ['base', ...Array.from({ length: n }, (_, i) => `task${i + 1}`)];
      for (const name of MERGED) {
        const info = ckpts.get('base')!.tensors.get(name)!.info;
        const raws = await Promise.all(keys.map((k) => raw(ckpts.get(k)!, name)));
        const head = {
          tensorName: name,
          shape: info.shape,
          numel: info.shape.reduce((a, b) => a * b, 1),
        };
        const spec = c.job(layerIndexOf(name)) as { kind: string };
        const inputs =
          spec.kind === 'linear'
            ? { models: raws }
            : spec.kind === 'slerp'
              ? { a: raws[0], b: raws[1] }
              : { base: raws[0], models: raws.slice(1) };
        const want = mergeTensorCpu({ ...head, ...spec, ...inputs } as TensorJob).merged;
        expect(file.tensors.get(name)!.dtype).toBe('F32');
        expectClose(await file.readF32(name), want, `${c.method} ${name}`);
      }
      expect(summary.nonFinite).toBe(0);
    });
  }
});

describe('executeMerge output', () => {
  it('task arithmetic matches θ₀ + λ·Σ wτ computed here; heads and non-floats copied; recipe stored', async () => {
    const yaml =
      'merge_method: task_arithmetic\nbase_model: base\nmodels: [task1, {model: task2, parameters: {weight: 0.5}}]\nparameters: {lambda: 0.3}\nmerge_studio: {task_specific: [heads.]}';
    const { ckpts, folder, file, summary } = await run(yaml);
    for (const name of MERGED) {
      const [b, t1, t2] = await Promise.all(
        ['base', 'task1', 'task2'].map((k) => ckpts.get(k)!.readF32(name)),
      );
      const want = b!.map((x, i) => x + 0.3 * (t1![i]! - x + 0.5 * (t2![i]! - x)));
      expectClose(await file.readF32(name), want, name);
    }
    expect([...file.tensors.keys()]).toEqual([
      ...[...MERGED, 'heads.task1.weight', 'heads.task2.weight', 'position_ids'].sort(),
    ]);
    for (const t of [1, 2]) {
      const name = `heads.task${t}.weight`;
      expect(await file.readRaw(name)).toEqual(await ckpts.get(`task${t}`)!.readRaw(name));
    }
    expect(file.tensors.get('position_ids')!.dtype).toBe('I64');
    expect(await file.readRaw('position_ids')).toEqual(
      await ckpts.get('base')!.readRaw('position_ids'),
    );
    expect(file.metadata.merge_recipe).toMatch(/merge_method: task_arithmetic/);
    expect(new TextDecoder().decode(folder.files.get('merge_recipe.yml'))).toBe(
      file.metadata.merge_recipe,
    );
    expect(parseRecipe(file.metadata.merge_recipe!).recipe.taskSpecific).toEqual(['heads.']);
    expect(summary).toMatchObject({ merged: MERGED.length, copied: 3, nonFinite: 0 });
  });

  it('out_dtype bfloat16 rounds the f32 result', async () => {
    const yaml =
      'merge_method: linear\nmodels: [base, task1]\nout_dtype: bfloat16\nmerge_studio: {task_specific: [heads.]}';
    const { ckpts, file } = await run(yaml);
    const name = 'model.layers.1.attn.weight';
    const [a, b] = await Promise.all(['base', 'task1'].map((k) => ckpts.get(k)!.readF32(name)));
    expect(file.tensors.get(name)!.dtype).toBe('BF16');
    const got = await file.readF32(name);
    a!.forEach((x, i) =>
      expect(Math.abs(got[i]! - (x + b![i]!) / 2)).toBeLessThanOrEqual(
        Math.abs((x + b![i]!) / 2) * 2 ** -8,
      ),
    );
  });

  it('sharded output has the same tensors as the single file', async () => {
    const yaml =
      'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: 0.5}\nmerge_studio: {task_specific: [heads.]}';
    const single = await run(yaml);
    const sharded = await run(yaml, 2, { maxShardBytes: 300 });
    const names = [...sharded.folder.files.keys()];
    expect(names).toContain('model.safetensors.index.json');
    expect(names).toContain('merge_recipe.yml');
    const shards = names.filter((n) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(n));
    expect(shards.length).toBeGreaterThan(2);
    const ck = await openShardedCheckpoint(
      memorySource(
        sharded.folder.files.get('model.safetensors.index.json')!,
        'model.safetensors.index.json',
      ),
      shards.map((n) => memorySource(sharded.folder.files.get(n)!, n)),
    );
    expect([...ck.tensors.keys()].sort()).toEqual([...single.file.tensors.keys()].sort());
    for (const name of single.file.tensors.keys())
      expect(await ck.readRaw(name)).toEqual(await single.file.readRaw(name));
  });

  it('writes a single file to a ByteSink', async () => {
    const ckpts = await poolCheckpoints(1);
    const plan = await planMerge(
      recipeOf(
        'merge_method: slerp\nbase_model: base\nmodels: [task1]\nparameters: {t: 0}\nmerge_studio: {task_specific: [heads.]}',
      ),
      ckpts,
    );
    const sink = memorySink('out.safetensors');
    await executeMerge(plan, createCpuBackend(), sink);
    const file = await openSafetensors(memorySource(sink.bytes(), 'out.safetensors'));
    // t = 0 returns the base exactly.
    expect(await file.readRaw('model.layers.0.attn.weight')).toEqual(
      await ckpts.get('base')!.readRaw('model.layers.0.attn.weight'),
    );
  });

  it('cancellation aborts every sink: no output remains', async () => {
    const ckpts = await poolCheckpoints(2);
    const plan = await planMerge(
      recipeOf(
        'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nmerge_studio: {task_specific: [heads.]}',
      ),
      ckpts,
    );
    const folder = memorySinkFolder();
    const controller = new AbortController();
    let events = 0;
    const promise = executeMerge(plan, createCpuBackend(), folder, {
      signal: controller.signal,
      maxShardBytes: 300,
      onProgress: (p) => {
        if (p.status === 'progress' && ++events === 4) controller.abort();
      },
    });
    await expect(promise).rejects.toThrow(/abort|cancel/i);
    expect(folder.files.size).toBe(0);
    expect(folder.sinks.length).toBeGreaterThan(0);
    expect(folder.sinks.every((s) => s.state === 'aborted')).toBe(true);
  });

  it('reports progress with totals, rate and ETA', async () => {
    const events: { status: string; done?: number; total?: number; eta?: number }[] = [];
    await run(
      'merge_method: task_arithmetic\nbase_model: base\nmodels: [task1, task2]\nmerge_studio: {task_specific: [heads.]}',
      2,
      {
        onProgress: (p) => events.push(p),
      },
    );
    const progress = events.filter((e) => e.status === 'progress');
    expect(events[0]!.status).toBe('initiate');
    expect(progress.at(-1)).toMatchObject({ done: MERGED.length + 3, total: MERGED.length + 3 });
    expect(progress.every((p) => p.eta !== undefined && p.eta >= 0)).toBe(true);
    expect(events.at(-1)!.status).toBe('done');
  });

  it('model-scope progress reaches its totals when the selection settles in one read', async () => {
    const events: {
      status: string;
      done?: number;
      total?: number;
      bytes?: number;
      totalBytes?: number;
    }[] = [];
    const { summary } = await run(
      'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: 0.3, trim_scope: model}\nmerge_studio: {task_specific: [heads.]}',
      2,
      { onProgress: (p) => events.push(p) },
    );
    expect(summary.thresholds).toHaveLength(2);
    const last = events.filter((e) => e.status === 'progress').at(-1)!;
    // Two planned selection passes + the merge pass: all counted as done at the end.
    expect(last.done).toBe(last.total);
    expect(last.bytes).toBe(last.totalBytes);
  });
});

describe('official TIES options end to end', () => {
  it('trim_scope: model finds the exact global k-th largest |δ| per model', async () => {
    const yaml =
      'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: 0.3, trim_scope: model, disjoint: sum}\nmerge_studio: {task_specific: [heads.]}';
    const { ckpts, summary, file, plan } = await run(yaml);
    expect(plan.passes).toEqual(['magnitude_selection', 'merge']);
    for (const [m, key] of ['task1', 'task2'].entries()) {
      const mags: number[] = [];
      for (const name of MERGED) {
        const [b, t] = await Promise.all([
          ckpts.get('base')!.readF32(name),
          ckpts.get(key)!.readF32(name),
        ]);
        b!.forEach((x, i) => mags.push(Math.abs(Math.fround(t![i]! - x))));
      }
      mags.sort((x, y) => y - x);
      expect(summary.thresholds![m]).toBe(mags[Math.floor(0.3 * mags.length) - 1]);
    }
    const name = 'model.layers.2.attn.weight';
    const raws = await Promise.all(['base', 'task1', 'task2'].map((k) => raw(ckpts.get(k)!, name)));
    const want = mergeTensorCpu({
      ...ta({
        consensus: 'sum',
        sparsifier: 'magnitude',
        densities: [0.3, 0.3],
        modelScopeThresholds: summary.thresholds,
      }),
      tensorName: name,
      shape: [4, 8],
      numel: 32,
      base: raws[0]!,
      models: raws.slice(1),
    }).merged;
    expectClose(await file.readF32(name), want, name);
  });

  it('zero_sign: majority computes the model-wide majority sign in a pre-pass', async () => {
    const yaml =
      'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nparameters: {zero_sign: majority}\nmerge_studio: {task_specific: [heads.]}';
    const { ckpts, summary, plan } = await run(yaml);
    expect(plan.passes).toEqual(['majority_sign', 'merge']);
    // Independent: density 1, weights 1 → S = τ1 + τ2 (f32); majority = sign(Σ sign(S)).
    let total = 0;
    for (const name of MERGED) {
      const [b, t1, t2] = await Promise.all(
        ['base', 'task1', 'task2'].map((k) => ckpts.get(k)!.readF32(name)),
      );
      b!.forEach(
        (x, i) =>
          (total += Math.sign(Math.fround(Math.fround(t1![i]! - x) + Math.fround(t2![i]! - x)))),
      );
    }
    expect(summary.majoritySign).toBe(Math.sign(total));
  });
});

describe('planMerge refuses bad inputs before writing anything', () => {
  async function ckptWith(
    name: string,
    mutate: (t: ReturnType<typeof poolTensors>[number]) => void,
    m = 1,
  ) {
    const tensors = poolTensors(2)[m]!;
    mutate(tensors);
    return openSingleCheckpoint(
      memorySource(makeValidSafetensors(tensors), `${name}.safetensors`),
      name,
    );
  }
  const TIES =
    'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nmerge_studio: {task_specific: [heads.]}';

  it('names the file and tensor for shape mismatches and missing tensors', async () => {
    const ckpts = await poolCheckpoints(2);
    ckpts.set(
      'task2',
      await ckptWith(
        'task2',
        (ts) => (ts.find((t) => t.name === 'model.norm.weight')!.shape = [2, 2]),
        2,
      ),
    );
    ckpts.set(
      'task1',
      await ckptWith('task1', (ts) =>
        ts.splice(
          ts.findIndex((t) => t.name === 'model.embed.weight'),
          1,
        ),
      ),
    );
    const err = await planMerge(recipeOf(TIES), ckpts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MergePlanError);
    expect((err as MergePlanError).problems).toEqual([
      'task1: tensor model.embed.weight is missing (it is in base)',
      'task2: tensor model.norm.weight has shape [2,2] but base has [4]',
    ]);
  });

  it('untagged heads, conflicting task-specific tensors, missing models', async () => {
    const ckpts = await poolCheckpoints(2);
    await expect(planMerge(recipeOf(TIES.replace(/\nmerge_studio.*/, '')), ckpts)).rejects.toThrow(
      /task1: tensor heads\.task1\.weight is not in base; .*task_specific/,
    );
    ckpts.set(
      'task2',
      await ckptWith(
        'task2',
        (ts) => ts.push({ name: 'heads.task1.weight', shape: [2, 4], dtype: 'F32' }),
        2,
      ),
    );
    await expect(planMerge(recipeOf(TIES), ckpts)).rejects.toThrow(
      /task-specific tensor heads\.task1\.weight differs between task1, task2/,
    );
    ckpts.delete('task2');
    await expect(planMerge(recipeOf(TIES), ckpts)).rejects.toThrow(
      'model "task2": no checkpoint was opened for it',
    );
  });

  it('parameter errors: unknown names, ranges, della per-tensor combinations', async () => {
    const ckpts = await poolCheckpoints(2);
    await expect(planMerge(recipeOf(TIES + '\nparameters: {densty: 0.5}'), ckpts)).rejects.toThrow(
      /unknown parameter "densty" for ties/,
    );
    // gradient density [0.9, 0.5] with ε 0.15: the first layers have density + ε ≥ 1.
    const della =
      'merge_method: della\nbase_model: base\nmodels: [task1, task2]\nparameters: {density: [0.9, 0.5], epsilon: 0.15}\nmerge_studio: {task_specific: [heads.]}';
    await expect(planMerge(recipeOf(della), ckpts)).rejects.toThrow(
      /model.embed.weight: model 1: della needs 0 < density − epsilon and density \+ epsilon < 1/,
    );
  });
});

describe('consensus: compressed task models (TALL)', () => {
  it('writes θ₀ + mₜ⊙τ_MTL per task with its own head', async () => {
    const ckpts = await poolCheckpoints(2);
    const yaml =
      'merge_method: consensus\nbase_model: base\nmodels: [{model: task1, parameters: {mask_lambda: 0.3}}, {model: task2, parameters: {mask_lambda: 0.6}}]\nparameters: {k: 2}\nmerge_studio: {task_specific: [heads.]}';
    const plan = await planMerge(recipeOf(yaml), ckpts);
    const main = memorySinkFolder();
    const tasks = [memorySinkFolder(), memorySinkFolder()];
    await executeMerge(plan, createCpuBackend(), main, { taskModelOutputs: tasks });
    const f = Math.fround;
    const lambdas = [0.3, 0.6];
    for (const t of [0, 1]) {
      const file = await openSafetensors(
        memorySource(tasks[t]!.files.get('model.safetensors')!, `task${t + 1}`),
      );
      const other = `heads.task${2 - t}.weight`;
      expect(file.tensors.has(`heads.task${t + 1}.weight`)).toBe(true);
      expect(file.tensors.has(other)).toBe(false);
      expect(file.tensors.has('position_ids')).toBe(true);
      for (const name of MERGED) {
        const [b, t1, t2] = await Promise.all(
          ['base', 'task1', 'task2'].map((k) => ckpts.get(k)!.readF32(name)),
        );
        const want = b!.map((x, i) => {
          const taus = [f(t1![i]! - x), f(t2![i]! - x)];
          const mtl = f(taus[0]! + taus[1]!);
          const tau = taus[t]!;
          return Math.abs(tau) > f(f(lambdas[t]!) * Math.abs(f(mtl - tau))) ? f(x + mtl) : x;
        });
        expectClose(await file.readF32(name), want, `task ${t + 1} ${name}`);
      }
    }
  });

  it('refuses task outputs for other methods, leaving no output', async () => {
    const ckpts = await poolCheckpoints(2);
    const plan = await planMerge(
      recipeOf(
        'merge_method: ties\nbase_model: base\nmodels: [task1, task2]\nmerge_studio: {task_specific: [heads.]}',
      ),
      ckpts,
    );
    const sink = memorySink('x');
    await expect(
      executeMerge(plan, createCpuBackend(), sink, {
        taskModelOutputs: [memorySink('a'), memorySink('b')],
      }),
    ).rejects.toThrow(/compressed task models need a consensus merge/);
    expect(sink.state).toBe('aborted');
  });
});

describe('recipe → plan → execute on hand-worked numbers', () => {
  async function tiny(values: number[][]): Promise<Map<string, Checkpoint>> {
    const map = new Map<string, Checkpoint>();
    const keys = ['base', 'A', 'B'];
    for (let m = 0; m < 3; m++) {
      const bytes = makeValidSafetensors([
        { name: 'w', dtype: 'F32', shape: [6], values: values[m]! },
      ]);
      map.set(keys[m]!, await openSingleCheckpoint(memorySource(bytes, keys[m]!), keys[m]));
    }
    return map;
  }

  it('TIES, density 0.5, weights 1 and 0.5, both zero-sign rules', async () => {
    // A = [3,-2,2,1,-2,.5]: k = 3, |A| sorted 3,2,2,2,1,.5 → the 3 and the first two tied
    // 2s (exactly k, index order) → [3,-2,2,0,0,0].
    // B = [-1,4,-1.5,-3,-2.5,.25]: top 3 of |B| are 4,3,2.5 → [0,4,0,-3,-2.5,0]; ×.5 →
    // [0,2,0,-1.5,-1.25,0]. S = [3, 0, 2, -1.5, -1.25, 0].
    // positive: signs [+,+,+,-,-,+] → [3/1, 2/.5, 2/1, -1.5/.5, -1.25/.5, 0] = [3,4,2,-3,-2.5,0].
    // majority: Σ sign(S) = 1+0+1-1-1+0 = 0 → S = 0 elects -1: e1 → A (-2)/1 = -2, e5 → 0.
    const ckpts = await tiny([
      [0, 0, 0, 0, 0, 0],
      [3, -2, 2, 1, -2, 0.5],
      [-1, 4, -1.5, -3, -2.5, 0.25],
    ]);
    const yaml = (zero: string) =>
      `merge_method: ties\nbase_model: base\nmodels: [A, {model: B, parameters: {weight: 0.5}}]\nparameters: {density: 0.5, zero_sign: ${zero}}`;
    for (const [zero, want] of [
      ['positive', [3, 4, 2, -3, -2.5, 0]],
      ['majority', [3, -2, 2, -3, -2.5, 0]],
    ] as const) {
      const plan = await planMerge(recipeOf(yaml(zero)), ckpts);
      const sink = memorySink('out');
      const summary = await executeMerge(plan, createCpuBackend(), sink);
      const file = await openSafetensors(memorySource(sink.bytes(), 'out'));
      expectClose(await file.readF32('w'), Float32Array.from(want), zero);
      if (zero === 'majority') expect(summary.majoritySign).toBe(0);
    }
  });
});
