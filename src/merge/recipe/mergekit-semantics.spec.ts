/** mergekit's recipe semantics where the studio once differed (issue 19). */
import { describe, expect, it } from 'vitest';
import { parseRecipe } from './parse';
import { resolveSetting } from './resolve';
import { recipeToYaml } from './serialize';
import { mergekitIncompatibilities } from './mergekit-compat';
import { shapeMismatchProblem } from './vocabulary';

describe('conditional filters (mergekit config.py evaluate_setting)', () => {
  it('"*" matches every tensor; other filters are substrings, never globs', () => {
    const setting = [{ filter: 'mlp.*', value: 5 }, { filter: '*', value: 2 }, { value: 1 }];
    expect(resolveSetting(setting, 'model.layers.0.self_attn.q_proj.weight', 0)).toBe(2);
    expect(resolveSetting(setting, 'model.layers.0.mlp.up_proj.weight', 0)).toBe(2);
    expect(resolveSetting(setting, 'x.mlp.*.weight', 0)).toBe(5);
  });

  it('gradients blend as mergekit does: (1 − frac)·v[i0] + frac·v[i1]', () => {
    // t = 0.3 over [0.1, 0.7]: mergekit computes 0.7 * 0.1 + 0.3 * 0.7 in doubles.
    expect(resolveSetting([0.1, 0.7], 'w', 0.3)).toBe(0.7 * 0.1 + 0.3 * 0.7);
  });
});

describe('exported YAML that mergekit cannot run says so', () => {
  const exported = (yaml: string) => recipeToYaml(parseRecipe(yaml, 'r.yml').recipe);
  const base = 'base_model: base\nmodels:\n  - model: a\n  - model: b\n';

  it('plain mergekit recipes carry no note', () => {
    const yaml = exported(`merge_method: ties\n${base}parameters: {density: 0.5}\n`);
    expect(yaml.startsWith('merge_method: ties')).toBe(true);
  });

  it('consensus, LiNeS and model-scope TIES are marked NOT mergekit-compatible', () => {
    const cases: [string, RegExp][] = [
      [`merge_method: consensus\n${base}`, /merge_method "consensus" does not exist in mergekit/],
      [
        `merge_method: task_arithmetic\n${base}merge_studio: {parameters: {lines_beta: 0.5}}\n`,
        /studio-only parameter lines_beta: 0\.5/,
      ],
      [
        `merge_method: ties\n${base}merge_studio: {parameters: {trim_scope: model}}\n`,
        /studio-only parameter trim_scope: "model"/,
      ],
    ];
    for (const [yaml, reason] of cases) {
      const text = exported(yaml);
      expect(text.split('\n')[0]).toMatch(/^# NOT mergekit-compatible/);
      expect(text).toMatch(reason);
      // Still a recipe the studio reads back unchanged.
      expect(parseRecipe(text, 'again.yml').recipe).toEqual(parseRecipe(yaml, 'r.yml').recipe);
    }
    expect(
      mergekitIncompatibilities(parseRecipe(`merge_method: ties\n${base}`, 'r').recipe),
    ).toEqual([]);
  });
});

describe('vocabulary-size mismatches', () => {
  it('are named as such and point to tokenizer_source', () => {
    const line = shapeMismatchProblem(
      'ft',
      'model.embed_tokens.weight',
      [32002, 64],
      'base',
      [32000, 64],
    );
    expect(line).toMatch(
      /^ft: vocabulary size mismatch: tensor model\.embed_tokens\.weight has 32002 token rows but base has 32000/,
    );
    expect(line).toMatch(/tokenizer_source/);
    expect(shapeMismatchProblem('ft', 'model.layers.0.mlp.weight', [3, 4], 'base', [4, 4])).toBe(
      'ft: tensor model.layers.0.mlp.weight has shape [3,4] but base has [4,4]',
    );
  });
});
