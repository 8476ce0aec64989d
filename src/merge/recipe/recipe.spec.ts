import { describe, expect, it } from 'vitest';
import { getMethod, methodNames } from '../registry';
import { layerIndexOf, countLayers, linesScale } from '../layers';
import {
  checkRecipe,
  parseRecipe,
  recipeToYaml,
  resolveParams,
  resolveSetting,
  validateParams,
} from './index';

const TIES = `
merge_method: ties
base_model: base
models:
  - model: base
  - model: a
    parameters: {weight: 0.5, density: [1, 0.7, 0.1]}
  - model: b
    parameters:
      weight: [{filter: mlp, value: 2}, {value: 1}]
parameters: {normalize: true, lambda: 1.0, density: 0.4}
dtype: bfloat16
random_seed: 7
tokenizer_source: union
chat_template: chatml
`;

describe('recipe parsing', () => {
  it('reads the mergekit essentials and warns about ignored keys', () => {
    const { recipe, warnings } = parseRecipe(TIES, 'r.yml');
    expect(recipe.mergeMethod).toBe('ties');
    expect(recipe.baseModel).toBe('base');
    expect(recipe.models.map((m) => m.model)).toEqual(['base', 'a', 'b']);
    expect(recipe.dtype).toBe('bfloat16');
    expect(recipe.randomSeed).toBe(7);
    expect(recipe.tokenizerSource).toBe('union');
    expect(warnings).toEqual([
      'r.yml: "chat_template" is ignored (the studio merges weights only)',
    ]);
    expect(checkRecipe(recipe)).toEqual([]);
  });

  it('refuses malformed slices and structural mistakes with the file named', () => {
    expect(() => parseRecipe('slices: []\nmerge_method: passthrough', 'x.yml')).toThrow(
      /x\.yml: "slices" must be a non-empty list/,
    );
    expect(() => parseRecipe('models: [{model: a}]', 'x.yml')).toThrow(
      /x\.yml: "merge_method" is required/,
    );
    expect(() => parseRecipe('merge_method: ties\nmodels: [{parameters: {}}]', 'x.yml')).toThrow(
      /models\[0\] needs "model/,
    );
    expect(() => parseRecipe('merge_method: [', 'x.yml')).toThrow(/x\.yml: not valid YAML/);
  });

  it('round-trips through YAML, studio extras under merge_studio', () => {
    const { recipe } = parseRecipe(TIES, 'r.yml');
    recipe.parameters.trim_scope = 'model';
    recipe.parameters.zero_sign = 'majority';
    recipe.taskSpecific = ['head.'];
    recipe.parameters.rescale = 'inverse_density';
    recipe.outDtype = 'float16';
    const yaml = recipeToYaml(recipe);
    // mergekit's own keys stay mergekit-readable; studio options live apart.
    expect(yaml).toMatch(
      /merge_studio:\n {2}parameters:\n {4}trim_scope: model\n {4}zero_sign: majority\n {4}rescale: inverse_density\n {2}task_specific:\n {4}- head\./,
    );
    expect(yaml).not.toMatch(/^parameters:[^]*trim_scope[^]*merge_studio/m);
    expect(parseRecipe(yaml).recipe).toEqual(recipe);
    // mergekit reads rescale as a boolean: l1/none are written as true/false, read back as modes.
    recipe.parameters.rescale = 'none';
    expect(recipeToYaml(recipe)).toMatch(/^ {2}rescale: false$/m);
    expect(parseRecipe(recipeToYaml(recipe)).recipe).toEqual(recipe);
  });
});

describe('parameter resolution', () => {
  it('gradients interpolate over depth: t = layer/(L−1), s = t·(n−1)', () => {
    // [1, 0.7, 0.1] over L = 5 layers: layer 1 → t .25, s .5 → (1 + .7)/2 = .85;
    // layer 3 → t .75, s 1.5 → (.7 + .1)/2 = .4; layer 4 → .1; embeddings (no layer) → t 0 → 1.
    const g = [1, 0.7, 0.1];
    expect(resolveSetting(g, 'x', 0.25)).toBeCloseTo(0.85, 12);
    expect(resolveSetting(g, 'x', 0.75)).toBeCloseTo(0.4, 12);
    expect(resolveSetting(g, 'x', 1)).toBe(0.1);
    const { recipe } = parseRecipe(TIES);
    expect(resolveParams(recipe, 'model.embed_tokens.weight', null, 5).models[0]!.density).toBe(1);
    expect(
      resolveParams(recipe, 'model.layers.1.mlp.up.weight', 1, 5).models[0]!.density,
    ).toBeCloseTo(0.85, 12);
  });

  it('filters: first substring match wins, {value} alone is the fallback', () => {
    const { recipe } = parseRecipe(TIES);
    expect(resolveParams(recipe, 'layers.0.mlp.up', 0, 5).models[1]!.weight).toBe(2);
    expect(resolveParams(recipe, 'layers.0.attn.q', 0, 5).models[1]!.weight).toBe(1);
    expect(resolveSetting([{ filter: 'mlp', value: 3 }], 'attn', 0)).toBeUndefined();
  });

  it('precedence: per-model > global > method default', () => {
    const { recipe } = parseRecipe(TIES);
    const r = resolveParams(recipe, 'layers.4.x', 4, 5);
    // model a: own gradient → .1; model b: no own density → global .4; the base is not a task model.
    expect(r.models.map((m) => m.density)).toEqual([0.1, 0.4]);
    expect(r.global).toMatchObject({
      normalize: true,
      lambda: 1,
      rescale: 'none',
      zero_sign: 'positive',
      trim_scope: 'tensor',
    });
    expect(r.global.disjoint).toBeUndefined();
    // mergekit's boolean rescale maps to the modes.
    recipe.parameters.rescale = true;
    expect(resolveParams(recipe, 'w', null, 5).global.rescale).toBe('l1');
  });
});

describe('validateParams', () => {
  it('names the model and the parameter for unknown names, types and ranges', () => {
    const issues = validateParams('ties', {
      parameters: { lambda: 'big', gamma: 0.1, trim_scope: 'layer' },
      models: [
        { model: 'a', parameters: { density: 1.5, normalize: true } },
        { model: 'b', parameters: { density: [0.5, 2], weight: [{ filter: 'x', value: true }] } },
      ],
    });
    expect(issues.map((i) => i.message)).toEqual([
      'parameters: parameter "lambda" must be a number, got "big"',
      expect.stringMatching(
        /^parameters: unknown parameter "gamma" for ties \(known: normalize, lambda/,
      ),
      'parameters: parameter "trim_scope" must be one of tensor, model, got "layer"',
      'model "a": parameter "density" = 1.5 is above the maximum 1',
      expect.stringMatching(
        /^model "a": unknown parameter "normalize" for ties \(known: weight, density\)/,
      ),
      'model "b": parameter "density"[1] = 2 is above the maximum 1',
      'model "b": parameter "weight"[0].value must be a number, got true',
    ]);
    expect(issues[3]).toMatchObject({ model: 'a', param: 'density' });
  });

  it('every method declares well-formed parameters', () => {
    for (const name of methodNames()) {
      const m = getMethod(name);
      for (const p of [...m.globalParams, ...m.modelParams]) {
        expect(p.help.length).toBeGreaterThan(10);
        if (p.default !== null)
          expect(validateParams(m, { parameters: { [p.name]: p.default }, models: [] })).toEqual(
            [],
          );
      }
    }
    expect(() => getMethod('tie')).toThrow(
      /unknown merge method "tie"; known methods: task_arithmetic, ties, dare_linear/,
    );
  });

  it('checkRecipe: method needs, counts, dtype names and disjoint/normalize conflicts', () => {
    const slerp = parseRecipe(
      'merge_method: slerp\nmodels: [{model: a}, {model: b}, {model: c}]\nout_dtype: int8',
    ).recipe;
    expect(checkRecipe(slerp)).toEqual([
      'slerp needs "base_model" (the pretrained model the task vectors are taken from)',
      'slerp takes at most 1 model(s) besides the base, got 3',
      'out_dtype: unknown dtype "int8"; use float32, float16 or bfloat16',
    ]);
    const ties = parseRecipe(
      'merge_method: ties\nbase_model: b\nmodels: [a, b]\nparameters: {disjoint: sum, normalize: true}',
    ).recipe;
    expect(checkRecipe(ties)).toEqual([
      expect.stringMatching(/"disjoint: sum" contradicts "normalize: true"/),
    ]);
  });
});

describe('layer indices and LiNeS', () => {
  it('parses the common block naming schemes', () => {
    expect(layerIndexOf('model.layers.12.mlp.up_proj.weight')).toBe(12);
    expect(layerIndexOf('transformer.h.3.attn.c_attn.weight')).toBe(3);
    expect(layerIndexOf('blocks.0.norm1.weight')).toBe(0);
    expect(layerIndexOf('encoder.layer.7.output.dense.bias')).toBe(7);
    expect(layerIndexOf('visual.transformer.resblocks.11.ln_1.weight')).toBe(11);
    expect(layerIndexOf('model.embed_tokens.weight')).toBeNull();
    expect(layerIndexOf('lm_head.weight')).toBeNull();
    expect(countLayers(['blocks.0.a', 'blocks.3.b', 'head.w'])).toBe(4);
  });
  it('scales block ℓ of L by α + β·ℓ/(L−1), others by α', () => {
    // L = 5, α .5, β 1: block 0 → .5, block 2 → 1, block 4 → 1.5, head → .5.
    expect([0, 2, 4].map((l) => linesScale(0.5, 1, l, 5))).toEqual([0.5, 1, 1.5]);
    expect(linesScale(0.5, 1, null, 5)).toBe(0.5);
  });
});

describe('newRecipe', () => {
  it('starts every method from its declared defaults and passes the checks', async () => {
    const { newRecipe } = await import('./new-recipe');
    for (const name of methodNames()) {
      const m = getMethod(name);
      const models = m.minModels >= 2 ? ['a', 'b'] : ['a'];
      const r = newRecipe(name, models, 'base');
      expect(checkRecipe(r)).toEqual([]);
      expect(parseRecipe(recipeToYaml(r)).recipe).toEqual(r);
    }
    const ties = newRecipe('ties', ['a'], 'base');
    expect(ties.parameters).toMatchObject({
      normalize: true,
      lambda: 1,
      rescale: 'none',
      zero_sign: 'positive',
    });
    expect(ties.parameters.disjoint).toBeUndefined();
    expect(ties.models[0]!.parameters).toEqual({ weight: 1, density: 1 });
    expect(newRecipe('linear', ['a', 'b'], 'base').baseModel).toBeUndefined();
  });
});

describe('recipe hardening', () => {
  const ties = (params: string, models = '  - model: a\n  - model: b\n') =>
    `merge_method: ties\nbase_model: base\nmodels:\n${models}parameters: {${params}}\n`;

  it('names NaN and ±Infinity as such', () => {
    for (const [yaml, shown] of [
      ['lambda: .nan', 'NaN'],
      ['lambda: .inf', 'Infinity'],
      ['lambda: -.inf', '-Infinity'],
    ] as const) {
      const problems = checkRecipe(parseRecipe(ties(yaml), 'r.yml').recipe);
      expect(problems).toEqual([
        `parameters: parameter "lambda" must be a finite number, got ${shown}`,
      ]);
    }
  });

  it('refuses values the float32 merge would turn into ±Inf weights, up front', () => {
    const problems = checkRecipe(parseRecipe(ties('lambda: 1e308'), 'r.yml').recipe);
    expect(problems).toEqual([
      'parameters: parameter "lambda" = 1e+308 is outside the float32 range the merge computes in (|x| < 3.4e38)',
    ]);
    expect(checkRecipe(parseRecipe(ties('lambda: 3e38'), 'r.yml').recipe)).toEqual([]);
  });

  it('models named like Object.prototype members are names, not lookups', () => {
    const models =
      '  - model: constructor\n    parameters: {weight: 1}\n  - model: __proto__\n    parameters: {weight: 2}\n';
    const text = `${ties('density: 0.5', models)}merge_studio:\n  model_parameters:\n    other: {weight: 3}\n`;
    const { recipe } = parseRecipe(text, 'r.yml');
    expect(recipe.models.map((m) => [m.model, m.parameters])).toEqual([
      ['constructor', { weight: 1 }],
      ['__proto__', { weight: 2 }],
    ]);
    expect(checkRecipe(recipe)).toEqual([]);
  });
});
