import type { MethodDefinition, ParamSpec } from './types';

export const ramEpsilonParam: ParamSpec = {
  name: 'epsilon',
  type: 'number',
  default: 1e-5,
  min: 0,
  max: 1,
  sliderMax: 0.001,
  step: 1e-6,
  help: 'An entry counts as changed by a model when |τ| > epsilon.',
};

export const ram: MethodDefinition = {
  name: 'ram',
  prettyName: 'RAM (reinforced agent merging)',
  paper: 'https://arxiv.org/abs/2601.13572',
  description:
    'Entries changed by one model are taken whole; entries several models change are averaged over the models that change them.',
  kind: 'tensor_method',
  needsBase: true,
  minModels: 1,
  globalParams: [ramEpsilonParam],
  modelParams: [],
};
