/**
 * Recipes against mergekit's own arithmetic, from scripts/reference/mergekit_exact_reference.py
 * (torch; fixture mergekit_exact.safetensors): TIES and Breadcrumbs at density 0.5 on heavily
 * tied BF16-valued inputs keep exactly k per tensor in mergekit's order (`t16`: mergekit's
 * literal sort, deterministic on ≤ 16 elements; `w`: a stable sort), TIES with normalize under
 * tiny weights divides by mergekit's consensus divisor, and linear / task_arithmetic / TIES /
 * breadcrumbs(_ties) under `dtype: float32` and `dtype: bfloat16` (mergekit's compute dtype:
 * inputs, weights and every op rounded to bf16) give torch's values.
 */
import { describe, expect, it } from 'vitest';
import { memorySinkFolder, memorySource, openSafetensors } from '../io';
import { createCpuBackend } from './cpu/index';
import { executeMerge } from './executor/index';
import { isElementwise } from './executor/chunking';
import { planMerge } from './plan';
import { parseRecipe } from './recipe/parse';
import { recipeToYaml } from './recipe/serialize';
import { roundBf16 } from './cpu/bf16';
import { fixtureCheckpoints, poolNames } from './testing-fixture-pool';
import { readFixture } from './testing-read-fixture';
import { tiedCheckpoints } from './testing-tied';

const fixture = readFixture('./mergekit_exact.safetensors');
const settings = JSON.parse(fixture.metadata.settings!) as {
  weights: number[];
  linear_weights: number[];
  density: number;
  ta_lambda: number;
  gamma: number;
  tiny_weights: number[];
};
const { names } = poolNames(fixture);

/** Each fixture output: the mergekit method, its models' weights and its parameters. */
const CASES: Record<string, { method: string; weights?: number[]; params: string }> = {
  linear: { method: 'linear', params: '' },
  task_arithmetic: { method: 'task_arithmetic', params: `lambda: ${settings.ta_lambda}` },
  ties: { method: 'ties', params: `density: ${settings.density}` },
  breadcrumbs: {
    method: 'breadcrumbs',
    params: `density: ${settings.density}, gamma: ${settings.gamma}`,
  },
  breadcrumbs_ties: {
    method: 'breadcrumbs_ties',
    params: `density: ${settings.density}, gamma: ${settings.gamma}`,
  },
  // TIES normalize with agreeing weight sums below 1e-8: mergekit divides by them.
  ties_tiny_weights: {
    method: 'ties',
    weights: settings.tiny_weights,
    params: `density: ${settings.density}`,
  },
};

function recipeYaml(output: string, dtype: string, extra = ''): string {
  const { method, weights = settings.weights, params } = CASES[output]!;
  const models =
    method === 'linear'
      ? ['base', 'task1', 'task2', 'task3'].map(
          (m, i) => `  - model: ${m}\n    parameters: {weight: ${settings.linear_weights[i]}}\n`,
        )
      : weights.map((x, t) => `  - model: task${t + 1}\n    parameters: {weight: ${x}}\n`);
  const parameters = params ? `parameters: {${params}}\n` : '';
  const base = method === 'linear' ? '' : 'base_model: base\n';
  return `merge_method: ${method}\n${base}models:\n${models.join('')}${parameters}dtype: ${dtype}\n${extra}`;
}

/** `chunkElements`: stream the tensors in chunks of that many elements (whole: undefined). */
async function merged(yaml: string, chunkElements?: number): Promise<Map<string, Float32Array>> {
  const ckpts = await fixtureCheckpoints(fixture);
  const plan = await planMerge(parseRecipe(yaml, 'r.yml').recipe, ckpts);
  const folder = memorySinkFolder();
  await executeMerge(plan, createCpuBackend(), folder, { chunkElements });
  const file = await openSafetensors(memorySource(folder.files.get('model.safetensors')!, 'o'));
  return new Map(await Promise.all(names.map(async (n) => [n, await file.readF32(n)] as const)));
}

describe('recipes give mergekit tensors (torch reference)', () => {
  it('TIES, dtype float32: exactly k per tensor in mergekit order, bit for bit', async () => {
    const out = await merged(recipeYaml('ties', 'float32'));
    for (const name of names) {
      expect(Array.from(out.get(name)!), name).toEqual(Array.from(fixture.f32(`f32.ties.${name}`)));
    }
  });
  for (const method of Object.keys(CASES)) {
    for (const [dtype, chunk] of [
      ['float32', undefined],
      ['bfloat16', undefined],
      // Streamed: the fixture's tensors (16, 960, 63 elements) in chunks of 5 and 13.
      ['bfloat16', 5],
      ['bfloat16', 13],
    ] as const) {
      const chunked = chunk ? `, chunks of ${chunk}` : '';
      it(`${method}, dtype ${dtype}${chunked}: torch's values`, async () => {
        const key = dtype === 'float32' ? 'f32' : 'bf16';
        const out = await merged(recipeYaml(method, dtype), chunk);
        for (const name of names) {
          const want = fixture.f32(`${key}.${method}.${name}`);
          const got = out.get(name)!;
          let differing = 0;
          for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differing++;
          expect(differing, `${method} ${dtype} ${name}: elements off`).toBe(0);
        }
      });
    }
  }

  it('merge_studio.compute_dtype: float32 computes in f32 and writes bf16; exported as not mergekit-compatible', async () => {
    const yaml = recipeYaml('ties', 'bfloat16', 'merge_studio: {compute_dtype: float32}\n');
    const recipe = parseRecipe(yaml, 'r.yml').recipe;
    expect(recipe.computeDtype).toBe('float32');
    const text = recipeToYaml(recipe);
    expect(text).toMatch(
      /^# NOT mergekit-compatible:[^]*compute_dtype: float32 with dtype bfloat16/,
    );
    expect(parseRecipe(text, 'again.yml').recipe).toEqual(recipe);
    const out = await merged(yaml);
    for (const name of names) {
      const f32 = fixture.f32(`f32.ties.${name}`);
      expect(Array.from(out.get(name)!)).toEqual(Array.from(f32, roundBf16));
    }
    expect(() =>
      parseRecipe(
        `${yaml.split('merge_studio')[0]}merge_studio: {compute_dtype: bfloat16}\n`,
        'x.yml',
      ),
    ).toThrow(/merge_studio.compute_dtype" must be float32/);
  });

  it('bf16 compute only where mergekit has that arithmetic; float16 warns', async () => {
    const ckpts = await fixtureCheckpoints(fixture);
    const plan = async (yaml: string) => planMerge(parseRecipe(yaml, 'r.yml').recipe, ckpts);
    const ties = await plan(recipeYaml('ties', 'bfloat16'));
    expect(ties.warnings).toEqual([]);
    const jobs = ties.steps.flatMap((s) => (s.kind === 'merge' ? [s.job.computeDtype] : []));
    expect(jobs).toEqual(names.map(() => 'BF16'));
    const lines = await plan(
      recipeYaml(
        'ties',
        'bfloat16',
        'merge_studio: {parameters: {lines_alpha: 0.5, lines_beta: 0.5}}\n',
      ),
    );
    expect(lines.warnings.join('\n')).toMatch(/ties computes 3 tensor\(s\) in float32/);
    const f16 = await plan(recipeYaml('linear', 'float16'));
    expect(f16.warnings.join('\n')).toMatch(/dtype float16: computed in float32/);
  });

  it('a large bf16-compute TIES or DARE tensor (above one default chunk) is streamed: no warning', async () => {
    const ckpts = await tiedCheckpoints([1024, 520], 1, 3);
    for (const method of ['ties', 'dare_ties']) {
      const yaml = `merge_method: ${method}\nbase_model: base\nmodels: [task1]\nparameters: {density: 0.5}\ndtype: bfloat16\n`;
      const plan = await planMerge(parseRecipe(yaml, 'r.yml').recipe, ckpts);
      expect(plan.warnings).toEqual([]);
      const step = plan.steps.find((s) => s.kind === 'merge')!;
      expect(step.kind === 'merge' && step.job.computeDtype).toBe('BF16');
      expect(step.kind === 'merge' && isElementwise(plan, step, false)).toBe(true);
    }
  });
});
