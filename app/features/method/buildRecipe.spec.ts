import { describe, expect, it } from 'vitest';
import { ties } from '../../../src/merge/methods/ties';
import { slerp } from '../../../src/merge/methods/slerp';
import type { CheckpointSummary } from '../../../src/worker/protocol';
import type { CheckpointEntry } from '../../store';
import { buildRecipe } from './buildRecipe';

const ready = (id: string, name: string): CheckpointEntry => ({
  id,
  name,
  status: 'ready',
  summary: { id, name } as CheckpointSummary,
});

const state = {
  methods: [ties, slerp],
  methodName: 'ties',
  globalParams: { lambda: 0.3 },
  modelParams: { b: { weight: 0.7 } },
  seed: 7,
  checkpoints: [
    ready('a', 'base'),
    ready('b', 'mnist'),
    {
      id: 'x',
      name: 'broken',
      status: 'error',
      error: { code: 'e', message: 'm' },
    } as CheckpointEntry,
    ready('c', 'fashion'),
  ],
  baseId: 'a',
  taskFilter: 'heads., decoder.',
};

describe('buildRecipe', () => {
  it('writes the base, every other loaded model, the initial and the changed values', () => {
    // TIES's form starts at density 0.2 for every model (mergekit's default is 1).
    expect(buildRecipe(state)).toEqual({
      mergeMethod: 'ties',
      baseModel: 'base',
      models: [
        { model: 'mnist', parameters: { density: 0.2, weight: 0.7 } },
        { model: 'fashion', parameters: { density: 0.2 } },
      ],
      parameters: { lambda: 0.3 },
      randomSeed: 7,
      taskSpecific: ['heads.', 'decoder.'],
    });
  });

  it('follows a changed base and gives no recipe without a method', () => {
    const recipe = buildRecipe({ ...state, baseId: 'c' })!;
    expect(recipe.baseModel).toBe('fashion');
    expect(recipe.models.map((m) => m.model)).toEqual(['base', 'mnist']);
    expect(buildRecipe({ ...state, methodName: null })).toBeNull();
  });
});
