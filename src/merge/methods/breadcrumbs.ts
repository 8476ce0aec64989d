import { taskArithmeticFamily } from './family';

export const breadcrumbs = taskArithmeticFamily({
  name: 'breadcrumbs',
  prettyName: 'Model Breadcrumbs',
  paper: 'https://arxiv.org/abs/2312.06795',
  description:
    'Drop the largest (outliers, γ) and the smallest task-vector entries, add the middle band.',
  consensus: 'none',
  sparsifier: 'magnitude_outliers',
  normalize: false,
  rescale: false,
});
