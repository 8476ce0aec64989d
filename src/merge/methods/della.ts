import { taskArithmeticFamily } from './family';

export const della = taskArithmeticFamily({
  name: 'della',
  prettyName: 'DELLA',
  paper: 'https://arxiv.org/abs/2406.11617',
  description:
    'Magnitude-ranked random dropping (MAGPRUNE), sign election, merge of the agreeing entries.',
  consensus: 'sum',
  sparsifier: 'della_magprune',
  normalize: true,
  rescale: true,
});
