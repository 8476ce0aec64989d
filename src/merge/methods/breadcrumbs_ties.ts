import { taskArithmeticFamily } from './family';

export const breadcrumbsTies = taskArithmeticFamily({
  name: 'breadcrumbs_ties',
  prettyName: 'Model Breadcrumbs + TIES',
  paper: 'https://arxiv.org/abs/2312.06795',
  description: 'Breadcrumbs band selection followed by TIES sign election.',
  consensus: 'sum',
  sparsifier: 'magnitude_outliers',
  normalize: false,
  rescale: false,
});
