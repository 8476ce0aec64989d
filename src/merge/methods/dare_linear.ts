import { taskArithmeticFamily } from './family';

export const dareLinear = taskArithmeticFamily({
  name: 'dare_linear',
  prettyName: 'DARE (linear)',
  paper: 'https://arxiv.org/abs/2311.03099',
  description: 'Randomly drop task-vector entries (keep ~density), rescale, then add.',
  consensus: 'none',
  sparsifier: 'random',
  normalize: false,
  rescale: true,
});
