import { describe, expect, it } from 'vitest';
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
});
