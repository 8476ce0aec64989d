import { alphaParam, SVD_MERGE } from './catalogue-params';
import type { MethodDefinition } from './types';

export const cart: MethodDefinition = {
  name: 'cart',
  prettyName: 'CART (centred task arithmetic, low rank)',
  paper: 'https://arxiv.org/abs/2412.12153',
  description:
    'The average of the models plus α times the sum of low-rank approximations of each model’s difference from that average (per weight matrix).',
  ...SVD_MERGE,
  globalParams: [
    alphaParam(
      2,
      'Scale of the summed low-rank centred task vectors (official 8-task config: 2.0).',
    ),
    {
      name: 'rank_ratio',
      type: 'number',
      default: 0.12,
      min: 0,
      max: 1,
      step: 0.01,
      help: 'Rank kept of each centred task vector, as a fraction of min(rows, cols) (official 8-task config: 0.12; 20 tasks: 0.32).',
      studioOnly: true,
    },
  ],
};
