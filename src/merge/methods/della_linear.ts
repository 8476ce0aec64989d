import { taskArithmeticFamily } from './family';

export const dellaLinear = taskArithmeticFamily({
  name: 'della_linear',
  prettyName: 'DELLA (linear)',
  paper: 'https://arxiv.org/abs/2406.11617',
  description: 'DELLA MAGPRUNE dropping, then a plain weighted sum.',
  consensus: 'none',
  sparsifier: 'della_magprune',
  normalize: false,
  rescale: true,
});
