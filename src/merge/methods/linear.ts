import { normalizeParam, weightParam } from './params';
import type { MethodDefinition } from './types';

export const linear: MethodDefinition = {
  name: 'linear',
  prettyName: 'Linear (weight averaging)',
  paper: 'https://arxiv.org/abs/2203.05482',
  description: 'Σ wᵢθᵢ, divided by Σ wᵢ when normalize: a (weighted) average of the models.',
  kind: 'linear',
  needsBase: false,
  minModels: 1,
  globalParams: [normalizeParam(true)],
  modelParams: [weightParam],
};
