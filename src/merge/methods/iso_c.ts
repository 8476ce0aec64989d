import { alphaParam, SVD_MERGE } from './catalogue-params';
import type { MethodDefinition } from './types';

export const isoC: MethodDefinition = {
  name: 'iso_c',
  prettyName: 'Iso-C (isotropic merging)',
  paper: 'https://arxiv.org/abs/2502.04959',
  description:
    'Per weight matrix: the SVD of the summed task vectors with every singular value replaced by their mean (a flat spectrum); other tensors averaged.',
  ...SVD_MERGE,
  globalParams: [
    alphaParam(
      1,
      'Scale of the merged task vector (the paper picks it on validation data in 0…3).',
    ),
  ],
};
