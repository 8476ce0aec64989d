/**
 * Every merge-benchmark case is a recipe the engine accepts for the bench pool's layout
 * (8 fine-tunes, 11 layers), and each whole-tensor method of the registry (issue #21's
 * catalogue) has a case, so a method added without a bench row, or a case whose recipe the
 * checks refuse, fails here instead of an hour into `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { METHODS, checkRecipe, parseRecipe } from '../src/merge';
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
    const catalogue = METHODS.filter((m) => m.kind === 'tensor_method').map((m) => m.name);
    expect(catalogue.filter((m) => !methods.has(m))).toEqual([]);
  });
});
