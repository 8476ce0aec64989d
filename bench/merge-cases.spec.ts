/**
 * Every merge-benchmark case is a recipe the engine accepts for the bench pool's layout
 * (8 fine-tunes, 11 layers), and the catalogue of issue #21 has a case per method, so a
 * method added to the registry without a bench row, or a case whose recipe the checks
 * refuse, fails here instead of an hour into `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { checkRecipe, parseRecipe } from '../src/merge';
import { MERGE_CASES } from './merge-cases';

describe('bench merge cases', () => {
  for (const c of MERGE_CASES) {
    it(`${c.id} is a valid recipe`, () => {
      const { recipe } = parseRecipe(c.yaml(8, 11), c.id);
      expect(checkRecipe(recipe)).toEqual([]);
    });
  }

  it('covers every catalogue method', () => {
    const methods = new Set(MERGE_CASES.map((c) => parseRecipe(c.yaml(8, 11)).recipe.mergeMethod));
    const catalogue = ['tsv_m', 'iso_c', 'iso_cts', 'cart', 'emr', 'pcb', 'nuslerp'];
    catalogue.push('multislerp', 'karcher', 'sce', 'nearswap', 'arcee_fusion', 'passthrough');
    expect(catalogue.filter((m) => !methods.has(m))).toEqual([]);
  });
});
