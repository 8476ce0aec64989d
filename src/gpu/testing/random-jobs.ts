/**
 * Seeded random merge jobs for comparing the WebGPU backend with the CPU reference (Vitest in
 * Node and the in-page e2e share it, so it must stay browser-safe). Values are generated in
 * f64, then stored in the job's dtypes (F16/BF16 round to nearest even).
 */
import { type RawTensor, type TensorJob, type TaskArithmeticJob, mix32 } from '../../merge';
import type { FloatDtype } from '../../io/types';
import { f32ToBf16, f32ToF16 } from '../../io';

/** Deterministic uniform stream in [0, 1) (not the merge RNG: only test data). */
export function testRng(seed: number): () => number {
  let counter = 0;
  return () => mix32((mix32(seed >>> 0) + counter++) >>> 0) / 4294967296;
}

export function encode(values: Float64Array | Float32Array, dtype: FloatDtype): RawTensor {
  if (dtype === 'F32') {
    const f = Float32Array.from(values);
    return { dtype, bytes: new Uint8Array(f.buffer) };
  }
  const h = new Uint16Array(values.length);
  const conv = dtype === 'F16' ? f32ToF16 : f32ToBf16;
  for (let i = 0; i < values.length; i++) h[i] = conv(values[i] as number);
  return { dtype, bytes: new Uint8Array(h.buffer) };
}

export interface TensorSetSpec {
  numel: number;
  models: number;
  seed: number;
  /** dtypes cycled over base, model 0, model 1, … */
  dtypes: FloatDtype[];
  /** Quantised values so that many |δ| tie exactly. */
  ties?: boolean;
}

/** A base and `models` fine-tunes (base + small deltas) as raw tensors. */
export function randomTensors(s: TensorSetSpec): { base: RawTensor; models: RawTensor[] } {
  const rnd = testRng(s.seed);
  const base = new Float64Array(s.numel);
  for (let i = 0; i < s.numel; i++)
    base[i] = s.ties ? Math.round((rnd() * 2 - 1) * 16) / 16 : rnd() * 2 - 1;
  const dtype = (k: number): FloatDtype => s.dtypes[k % s.dtypes.length] as FloatDtype;
  const models = Array.from({ length: s.models }, (_, m) => {
    const v = new Float64Array(s.numel);
    const scale = 0.05 * (1 + m);
    for (let i = 0; i < s.numel; i++) {
      const d = s.ties ? Math.round((rnd() * 2 - 1) * 8) / 64 : (rnd() * 2 - 1) * scale;
      v[i] = base[i]! + d;
    }
    return encode(v, dtype(1 + m));
  });
  return { base: encode(base, dtype(0)), models };
}

/** The kinds with WebGPU kernels (tensor_method jobs run on the CPU reference). */
export type JobKind = Exclude<TensorJob['kind'], 'tensor_method'>;

export interface JobSpec extends TensorSetSpec {
  kind: JobKind;
  /** Shape (defaults to [numel]); rows are the last dim. */
  shape?: number[];
  /** Overrides for task-arithmetic jobs. */
  ta?: Partial<TaskArithmeticJob>;
}

export function makeJob(spec: JobSpec): TensorJob {
  const { base, models } = randomTensors(spec);
  const K = spec.models;
  const common = {
    tensorName: `layers.${spec.seed}.weight`,
    shape: spec.shape ?? [spec.numel],
    numel: spec.numel,
  };
  const rnd = testRng(spec.seed ^ 0x5bd1e995);
  const weights = Array.from({ length: K }, () => 0.25 + rnd());
  switch (spec.kind) {
    case 'task_arithmetic':
      return {
        ...common,
        kind: 'task_arithmetic',
        base,
        models,
        weights,
        densities: Array.from({ length: K }, (_, m) => [0.3, 0.55, 0.8][m % 3] as number),
        gammas: Array.from({ length: K }, () => 0.05),
        epsilons: Array.from({ length: K }, () => 0.1),
        consensus: 'sum',
        sparsifier: 'magnitude',
        rescale: 'none',
        normalize: true,
        lambda: 0.9,
        seed: spec.seed,
        zeroSign: 'positive',
        majoritySign: 1,
        rowWise: false,
        deltaScale: 1,
        ...spec.ta,
      };
    case 'linear':
      return {
        ...common,
        kind: 'linear',
        models: [base, ...models],
        weights: [0.5, ...weights],
        normalize: true,
      };
    case 'slerp':
      return { ...common, kind: 'slerp', a: base, b: models[0] as RawTensor, t: 0.3 };
    case 'model_stock':
      return {
        ...common,
        kind: 'model_stock',
        base,
        models,
        filterWise: (spec.shape?.length ?? 1) > 1,
      };
    case 'consensus':
      return {
        ...common,
        kind: 'consensus',
        base,
        models,
        maskLambdas: models.map((_, t) => 0.2 + 0.1 * (t % 5)),
        k: 2,
        alpha: 0.8,
        emitTaskModels: true,
      };
  }
}
