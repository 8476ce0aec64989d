import { describe, expect, it } from 'vitest';
import type { CheckpointSummary, Recipe } from '../../../src/worker/protocol';
import type { CheckpointEntry } from '../../store';
import { withFilePaths } from './exportRecipe';

const ready = (
  name: string,
  layout: CheckpointSummary['layout'],
  files: string[],
): CheckpointEntry => ({
  id: name,
  name,
  status: 'ready',
  summary: { id: name, name, layout, files } as CheckpointSummary,
});

describe('withFilePaths', () => {
  it('names each model by the file or folder it was opened from', () => {
    const recipe: Recipe = {
      mergeMethod: 'task_arithmetic',
      baseModel: 'base',
      models: [
        { model: 'mnist', parameters: { weight: 0.5 } },
        { model: 'big', parameters: {} },
        { model: 'vit-hf', parameters: {} },
        { model: 'unknown', parameters: {} },
      ],
      parameters: { lambda: 0.3 },
      taskSpecific: ['heads.'],
    };
    const checkpoints = [
      ready('base', 'single', ['base.safetensors']),
      ready('mnist', 'single', ['mnist.safetensors']),
      ready('big', 'sharded', ['m-00001.safetensors', 'm.safetensors.index.json']),
      ready('vit-hf', 'hf-folder', ['config.json', 'model.safetensors']),
    ];
    expect(withFilePaths(recipe, checkpoints)).toEqual({
      ...recipe,
      baseModel: 'base.safetensors',
      models: [
        { model: 'mnist.safetensors', parameters: { weight: 0.5 } },
        { model: 'm.safetensors.index.json', parameters: {} },
        { model: 'vit-hf', parameters: {} },
        { model: 'unknown', parameters: {} },
      ],
    });
  });
});
