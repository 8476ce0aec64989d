import type { MethodDefinition } from './types';

export const consensus: MethodDefinition = {
  name: 'consensus',
  prettyName: 'Consensus (TALL masks)',
  paper: 'https://arxiv.org/abs/2405.07813',
  description:
    'Task arithmetic that keeps only the entries important to at least k tasks (TALL masks |τₜ| > λₜ·|τ_MTL − τₜ|).',
  kind: 'consensus',
  needsBase: true,
  minModels: 1,
  globalParams: [
    {
      name: 'k',
      type: 'int',
      default: 2,
      min: 1,
      max: 64,
      sliderMax: 8,
      step: 1,
      help: 'Keep an entry when at least k task masks select it (1 drops only "catastrophic" weights).',
      studioOnly: true,
    },
    {
      name: 'alpha',
      type: 'number',
      default: 1,
      sliderMin: 0,
      sliderMax: 2,
      step: 0.05,
      help: 'Scale of the masked multi-task vector (papers: ~0.3–0.4).',
      studioOnly: true,
    },
  ],
  modelParams: [
    {
      name: 'mask_lambda',
      type: 'number',
      default: 0.4,
      min: 0,
      sliderMax: 1,
      step: 0.05,
      help: 'TALL mask threshold λₜ of this task (papers search 0.2…0.6).',
      studioOnly: true,
    },
  ],
};
