import { weightParam } from './params';
import type { MethodDefinition } from './types';

export const multislerp: MethodDefinition = {
  name: 'multislerp',
  prettyName: 'Multi-SLERP',
  paper: 'https://goddard.blog/posts/multislerp-wow-what-a-cool-idea',
  description:
    'Barycentric interpolation of any number of models on the hypersphere (of their task vectors when a base model is given), per tensor.',
  kind: 'tensor_method',
  needsBase: false,
  optionalBase: true,
  minModels: 2,
  globalParams: [
    {
      name: 'normalize_weights',
      type: 'boolean',
      default: true,
      help: 'Divide the weights by their sum.',
    },
    {
      name: 'eps',
      type: 'number',
      default: 1e-8,
      min: 0,
      max: 1e-3,
      step: 1e-9,
      help: 'Numerical guard added to norms.',
    },
  ],
  modelParams: [weightParam],
};
