import type { MethodDefinition } from './types';

export const arceeFusion: MethodDefinition = {
  name: 'arcee_fusion',
  prettyName: 'Arcee Fusion',
  paper: 'https://arcee.ai',
  description:
    'Keeps the other model’s changes where their importance (|Δ| times the KL divergence of the rows’ softmax) is above median + 1.5·IQR.',
  kind: 'tensor_method',
  needsBase: true,
  minModels: 1,
  maxModels: 1,
  globalParams: [],
  modelParams: [],
};
