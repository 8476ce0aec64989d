import { alphaParam, SVD_MERGE } from './catalogue-params';
import type { MethodDefinition } from './types';

export const isoCts: MethodDefinition = {
  name: 'iso_cts',
  prettyName: 'Iso-CTS (isotropic, common + task-specific subspaces)',
  paper: 'https://arxiv.org/abs/2502.04959',
  description:
    'Per weight matrix: a common subspace from the summed task vectors plus each task’s own directions outside it, orthogonalised together, with a flat (isotropic) spectrum; other tensors averaged.',
  ...SVD_MERGE,
  globalParams: [
    alphaParam(
      1,
      'Scale of the merged task vector (the paper picks it on validation data in 0…3).',
    ),
    {
      name: 'common_space_fraction',
      type: 'number',
      default: 0.8,
      min: 0,
      max: 1,
      step: 0.05,
      help: 'Share of the rank given to the common subspace; the rest is split evenly between the tasks.',
      studioOnly: true,
    },
  ],
};
