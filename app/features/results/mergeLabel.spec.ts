import { describe, expect, it } from 'vitest';
import { taskArithmetic } from '../../../src/merge/methods/task_arithmetic';
import { ties } from '../../../src/merge/methods/ties';
import type { Recipe } from '../../../src/worker/protocol';
import { mergeLabel } from './mergeLabel';

const recipe = (patch: Partial<Recipe>): Recipe => ({
  mergeMethod: 'task_arithmetic',
  baseModel: 'base',
  models: [
    { model: 'mnist', parameters: {} },
    { model: 'fashion', parameters: {} },
  ],
  parameters: {},
  taskSpecific: ['heads.'],
  ...patch,
});

describe('mergeLabel', () => {
  it('lists only values that differ from the declared defaults', () => {
    // normalize ticked and unticked again is false, its default: not listed.
    const r = recipe({ parameters: { lambda: 0.3, normalize: false } });
    expect(mergeLabel(1, r, taskArithmetic)).toBe('#1 Task Arithmetic (lambda=0.3)');
    expect(mergeLabel(2, recipe({ parameters: { lambda: 1 } }), taskArithmetic)).toBe(
      '#2 Task Arithmetic',
    );
  });

  it('folds a per-model value shared by every model, names the others', () => {
    const shared = recipe({
      mergeMethod: 'ties',
      models: [
        { model: 'mnist', parameters: { density: 0.2 } },
        { model: 'fashion', parameters: { density: 0.2, weight: 0.5 } },
      ],
    });
    expect(mergeLabel(3, shared, ties)).toBe('#3 TIES (density=0.2 each, fashion: weight=0.5)');
  });
});
