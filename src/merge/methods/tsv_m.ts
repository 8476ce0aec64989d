import { alphaParam, SVD_MERGE } from './catalogue-params';
import type { MethodDefinition } from './types';

export const tsvM: MethodDefinition = {
  name: 'tsv_m',
  prettyName: 'TSV-M (task singular vectors)',
  paper: 'https://arxiv.org/abs/2412.00081',
  description:
    'Per weight matrix: the top r/T singular triplets of each task vector, their U and V blocks orthogonalised together, Δ = U⊥·S·V⊥ᵀ; other tensors averaged.',
  ...SVD_MERGE,
  globalParams: [alphaParam(1, 'Scale of the merged task vector (the paper uses 1).')],
};
