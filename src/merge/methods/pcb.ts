import { weightParam } from './params';
import type { MethodDefinition } from './types';

export const pcb: MethodDefinition = {
  name: 'pcb',
  prettyName: 'PCB (parameter competition balancing)',
  paper: 'https://arxiv.org/abs/2410.02396',
  description:
    'Scores every entry by its importance within its task (intra-balance) and its agreement with the other tasks (inter-balance), keeps the top pcb_ratio of each task, and takes the score-weighted mean (quantiles per tensor, or over the whole model as the official code: pcb_scope).',
  kind: 'tensor_method',
  needsBase: true,
  minModels: 2,
  studioOnly: true,
  globalParams: [
    {
      name: 'pcb_ratio',
      type: 'number',
      default: 0.1,
      min: 0,
      max: 1,
      step: 0.01,
      help: 'Share of each task vector kept by its balancing score (official default 0.1; the vision runs use 0.05).',
      studioOnly: true,
    },
    {
      name: 'clamp_ratio',
      type: 'number',
      default: 0.0001,
      min: 0,
      max: 0.5,
      sliderMax: 0.05,
      step: 0.0001,
      help: 'Magnitudes are clamped to their [q, 1 − q] quantiles first (official 1e-4; the vision script uses 0.01).',
      studioOnly: true,
    },
    {
      name: 'pcb_scope',
      type: 'enum',
      options: ['tensor', 'model'],
      default: 'tensor',
      help: 'Quantiles and normalisations per tensor (one read) or over the whole flattened model as the official code (four extra reads of the model).',
      studioOnly: true,
    },
  ],
  modelParams: [
    {
      ...weightParam,
      help: 'λₜ: scale of this task’s clamped vector (official vision runs: 1.2).',
    },
  ],
};
