import { taskArithmeticFamily } from './family';

export const ties = taskArithmeticFamily({
  name: 'ties',
  prettyName: 'TIES',
  paper: 'https://arxiv.org/abs/2306.01708',
  description:
    'Trim small task-vector entries, elect a sign per entry, merge only the agreeing entries.',
  consensus: 'sum',
  sparsifier: 'magnitude',
  normalize: true,
  rescale: false,
});
