import { ramEpsilonParam } from './ram';
import type { MethodDefinition } from './types';

export const ramplusTl: MethodDefinition = {
  name: 'ramplus_tl',
  prettyName: 'RAM+ (tensor-local)',
  paper: 'https://arxiv.org/abs/2601.13572',
  description:
    'RAM with each model’s unique entries scaled up by 1 + r·clamp(shared/unique, 0, alpha), counted per tensor.',
  kind: 'tensor_method',
  needsBase: true,
  minModels: 1,
  globalParams: [
    {
      name: 'r',
      type: 'number',
      default: 0.1,
      min: 0,
      sliderMax: 1,
      step: 0.01,
      help: 'Strength of the boost of unique entries.',
    },
    {
      name: 'alpha',
      type: 'number',
      default: 0.2,
      min: 0,
      sliderMax: 1,
      step: 0.01,
      help: 'Cap on the shared/unique ratio used for the boost.',
    },
    ramEpsilonParam,
  ],
  modelParams: [],
};
