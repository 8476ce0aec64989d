import { describe, expect, it } from 'vitest';
import { parseRecipe } from '../../../src/merge';
import { clipRecipe, mergeLabel, taskFromFolder } from './recipe';

describe('the CLIP page recipe', () => {
  it('names the task after the last _ (FusionBench) else the last -', () => {
    expect(taskFromFolder('clip-vit-base-patch32_stanford-cars')).toBe('stanford-cars');
    expect(taskFromFolder('clip-eurosat')).toBe('eurosat');
    expect(taskFromFolder('svhn')).toBe('svhn');
  });

  it('gives TIES a density per model and task arithmetic none', () => {
    const ta = clipRecipe('b', ['x', 'y'], {
      method: 'task_arithmetic',
      lambda: 0.3,
      density: 0.2,
    });
    expect(ta.models.map((m) => m.parameters)).toEqual([{ weight: 1 }, { weight: 1 }]);
    const ties = clipRecipe('b', ['x'], { method: 'ties', lambda: 1, density: 0.2 });
    expect(ties.models[0]!.parameters).toEqual({ weight: 1, density: 0.2 });
    expect(mergeLabel({ method: 'ties', lambda: 1, density: 0.2 })).toBe(
      'TIES (λ=1.00, density 0.20)',
    );
  });

  it("FusionBench's TIES is the zoo table's recipe: model-scope trim, majority zero sign, sum", () => {
    const ties = clipRecipe('b', ['x'], {
      method: 'ties',
      lambda: 0.3,
      density: 0.2,
      fusionBench: true,
    });
    // scripts/clip-zoo/table.ts's TIES row, as YAML parses it.
    const table = parseRecipe(
      'merge_method: ties\nbase_model: b\nmodels:\n  - model: x\n    parameters: { weight: 1, density: 0.2 }\n' +
        'parameters: { normalize: false, lambda: 0.3, trim_scope: model, zero_sign: majority, disjoint: sum }\n',
    ).recipe;
    expect(ties.parameters).toEqual(table.parameters);
    expect(ties.models[0]!.parameters).toEqual(table.models[0]!.parameters);
    expect(
      clipRecipe('b', ['x'], { method: 'ties', lambda: 0.3, density: 0.2 }).parameters,
    ).toEqual({
      lambda: 0.3,
      normalize: false,
    });
  });
});
