import type { MethodDefinition } from './types';

export const karcher: MethodDefinition = {
  name: 'karcher',
  prettyName: 'Karcher mean',
  paper: 'https://en.wikipedia.org/wiki/Karcher_mean',
  description:
    'The Riemannian (Karcher) mean of the models’ directions on the hypersphere, scaled by their mean norm, per tensor (equal weights).',
  kind: 'tensor_method',
  needsBase: false,
  minModels: 2,
  globalParams: [
    {
      name: 'max_iter',
      type: 'int',
      default: 10,
      min: 1,
      max: 1000,
      sliderMax: 50,
      step: 1,
      help: 'Iterations of the fixed-point update.',
    },
    {
      name: 'tol',
      type: 'number',
      default: 1e-5,
      min: 0,
      max: 0.1,
      step: 1e-6,
      help: 'Convergence tolerance (and the norm below which a model counts as zero).',
    },
  ],
  modelParams: [],
};
