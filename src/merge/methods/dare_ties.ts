import { taskArithmeticFamily } from './family';

export const dareTies = taskArithmeticFamily({
  name: 'dare_ties',
  prettyName: 'DARE-TIES',
  paper: 'https://arxiv.org/abs/2311.03099',
  description: 'DARE random dropping followed by TIES sign election.',
  consensus: 'sum',
  sparsifier: 'random',
  normalize: false,
  rescale: true,
});
