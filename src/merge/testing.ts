/**
 * Helpers for the merge specs (and the GPU helper's comparisons): raw tensors from numbers and
 * task-arithmetic jobs with neutral defaults.
 */
import type { RawTensor, TaskArithmeticJob } from './backend';

export function f32Raw(values: ArrayLike<number>): RawTensor {
  return { dtype: 'F32', bytes: new Uint8Array(Float32Array.from(values).buffer) };
}

/** A task-arithmetic job over 1-D tensors; anything can be overridden. */
export function taJob(
  base: number[],
  models: number[][],
  overrides: Partial<TaskArithmeticJob> = {},
): TaskArithmeticJob {
  const n = models.length;
  return {
    kind: 'task_arithmetic',
    tensorName: 'w',
    shape: [base.length],
    numel: base.length,
    base: f32Raw(base),
    models: models.map(f32Raw),
    weights: Array<number>(n).fill(1),
    densities: Array<number>(n).fill(1),
    gammas: Array<number>(n).fill(0),
    epsilons: Array<number>(n).fill(0),
    consensus: 'none',
    sparsifier: 'none',
    rescale: 'none',
    normalize: false,
    lambda: 1,
    seed: 0,
    zeroSign: 'positive',
    majoritySign: 0,
    rowWise: false,
    deltaScale: 1,
    ...overrides,
  };
}

/** max |a − b| / max |b|: the error relative to the tensor's scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? err : err / scale;
}
