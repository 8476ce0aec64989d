/** Seeded inputs for the CPU kernels' specs. */
import type { RawTensor, TaskArithmeticJob } from '../../backend';

/** A linear congruential stream of values in [-1, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/**
 * The values as a raw tensor of `dtype`: F32 exactly; bf16 the high half (truncated); f16 some
 * finite half patterns (bit 10 clear: the exponent is never all ones), decoded exactly either way.
 */
export function rawTensor(values: Float32Array, dtype: RawTensor['dtype']): RawTensor {
  if (dtype === 'F32') return { dtype, bytes: new Uint8Array(values.slice().buffer) };
  const bits = new Uint32Array(values.slice().buffer);
  const halves = bits.map((b) => (dtype === 'BF16' ? b >>> 16 : (b >>> 13) & 0xfbff));
  return { dtype, bytes: new Uint8Array(Uint16Array.from(halves).buffer) };
}

/**
 * A task-arithmetic job over `values` = [base, ...models] (the models as F32, BF16, F16, F32,
 * …): plain task arithmetic unless `over` says otherwise.
 */
export function taskArithmeticJob(
  values: Float32Array[],
  over: Partial<TaskArithmeticJob>,
): TaskArithmeticJob {
  const n = values[0]!.length;
  const dtypes: RawTensor['dtype'][] = ['F32', 'BF16', 'F16', 'F32'];
  const models = values.slice(1);
  return {
    kind: 'task_arithmetic',
    tensorName: 't',
    shape: [n],
    numel: n,
    base: rawTensor(values[0]!, 'F32'),
    models: models.map((v, m) => rawTensor(v, dtypes[m % dtypes.length]!)),
    weights: [1, 0.5, -0.25, 2],
    densities: models.map(() => 0.5),
    gammas: models.map(() => 0),
    epsilons: models.map(() => 0),
    consensus: 'none',
    sparsifier: 'none',
    rescale: 'none',
    normalize: false,
    lambda: 0.7,
    seed: 0,
    zeroSign: 'positive',
    majoritySign: -1,
    rowWise: false,
    deltaScale: 1.3,
    ...over,
  };
}
