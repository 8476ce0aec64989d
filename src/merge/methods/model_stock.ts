import type { MethodDefinition } from './types';

export const modelStock: MethodDefinition = {
  name: 'model_stock',
  prettyName: 'Model Stock',
  paper: 'https://arxiv.org/abs/2403.19522',
  description:
    'Interpolates the average of the fine-tunes towards the base by a ratio from the angle between their task vectors.',
  kind: 'model_stock',
  needsBase: true,
  minModels: 2,
  globalParams: [
    {
      name: 'filter_wise',
      type: 'boolean',
      default: false,
      help: 'One ratio per row (last dim) instead of one per tensor.',
    },
  ],
  modelParams: [],
};
