import { int8MaskParam } from './params';
import type { MethodDefinition } from './types';

export const sce: MethodDefinition = {
  name: 'sce',
  prettyName: 'SCE (select, calculate, erase)',
  paper: 'https://arxiv.org/abs/2408.07990',
  description:
    'Keeps the entries whose task vectors vary most across models, weights each model by its mean squared task vector, and averages the sign-agreeing entries.',
  kind: 'tensor_method',
  needsBase: true,
  minModels: 1,
  globalParams: [
    {
      name: 'select_topk',
      type: 'number',
      default: 1,
      min: 0,
      max: 1,
      step: 0.01,
      help: 'Fraction of the entries (by variance across models) kept; 1 keeps all.',
    },
    int8MaskParam,
  ],
  modelParams: [],
};
