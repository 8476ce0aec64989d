import type { MethodDefinition } from './types';

export const passthrough: MethodDefinition = {
  name: 'passthrough',
  prettyName: 'Passthrough',
  paper: null,
  description:
    'Copies one model’s tensors, optionally scaled (mergekit’s layer stacking with `slices` is not supported yet).',
  kind: 'tensor_method',
  needsBase: false,
  minModels: 1,
  maxModels: 1,
  globalParams: [],
  modelParams: [
    {
      name: 'scale',
      type: 'number',
      default: null,
      sliderMin: 0,
      sliderMax: 2,
      step: 0.05,
      help: 'Multiply the tensors by this (unset: copied unchanged).',
    },
  ],
};
