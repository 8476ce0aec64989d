import { describe, expect, it } from 'vitest';
import { newRecipe } from '../recipe/new-recipe';
import { parseRecipe } from '../recipe/parse';
import { recipeToYaml } from '../recipe/serialize';
import { getMethod } from '../registry';
import { hasTensorKernel } from '../cpu/tensor-methods';

const CATALOGUE = [
  'tsv_m',
  'iso_c',
  'iso_cts',
  'cart',
  'pcb',
  'emr',
  'nuslerp',
  'multislerp',
  'karcher',
  'sce',
  'nearswap',
  'arcee_fusion',
  'passthrough',
  'ram',
  'ramplus_tl',
];

describe("the catalogue's declarations", () => {
  for (const name of CATALOGUE) {
    it(`${name}: registered with a CPU kernel, coherent parameters, recipe round trip`, () => {
      const method = getMethod(name);
      expect(method.kind).toBe('tensor_method');
      expect(hasTensorKernel(name)).toBe(true);
      for (const p of [...method.globalParams, ...method.modelParams]) {
        expect(p.help.length, p.name).toBeGreaterThan(10);
        if (typeof p.default === 'number') {
          if (p.min !== undefined) expect(p.default, p.name).toBeGreaterThanOrEqual(p.min);
          if (p.max !== undefined) expect(p.default, p.name).toBeLessThanOrEqual(p.max);
        }
      }
      const models = ['a', 'b', 'c'].slice(0, method.maxModels ?? 2);
      const recipe = newRecipe(name, models, method.needsBase ? 'base' : undefined);
      const yaml = recipeToYaml(recipe);
      expect(parseRecipe(yaml, 'r.yml').recipe).toEqual(recipe);
      // Studio-only parameters stay out of mergekit's `parameters:`.
      for (const p of method.globalParams.filter((q) => q.studioOnly && q.default !== null)) {
        expect(yaml).toMatch(new RegExp(`merge_studio:[\\s\\S]*${p.name}:`));
      }
    });
  }
});
