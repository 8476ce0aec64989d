import { taskArithmeticFamily } from './family';

export const taskArithmetic = taskArithmeticFamily({
  name: 'task_arithmetic',
  prettyName: 'Task Arithmetic',
  paper: 'https://arxiv.org/abs/2212.04089',
  description: 'θ₀ + λ·Σ wₜτₜ: add the weighted task vectors to the base.',
  consensus: 'none',
  sparsifier: 'none',
  normalize: false,
  rescale: false,
});
