import type { MethodDefinition } from './types';

export const slerp: MethodDefinition = {
  name: 'slerp',
  prettyName: 'SLERP',
  paper: 'https://en.wikipedia.org/wiki/Slerp',
  description:
    'Spherical interpolation between the base and one other model, per tensor; t = 0 is the base.',
  kind: 'slerp',
  needsBase: true,
  minModels: 1,
  maxModels: 1,
  globalParams: [
    {
      name: 't',
      type: 'number',
      default: 0.5,
      min: 0,
      max: 1,
      step: 0.01,
      help: 'Interpolation factor: 0 = base model, 1 = the other model.',
    },
  ],
  modelParams: [],
};
