/**
 * DARE jobs (sparsifier `random`) on the SIMD kernels: the drop is element-wise once the l1
 * rescale factors are known, so the merge runs tile by tile like the element-wise TA path
 * (no per-model sparsified copies). A whole tensor gets its l1 factors from one sums pass
 * first; a streamed chunk carries them (tensor-statistics.ts, which sums with
 * addRandomDropL1Sums too). Tiles whose output holds a NaN are recomputed by the reference
 * path on that range (weightedDeltas + combineWeighted), as elementwise.ts does.
 */
import { outputArray, type TaskArithmeticJob, type TensorResult } from '../backend';
import { jobRange } from '../split-job';
import { elementwiseInputs, type KeepBands } from './elementwise-ta';
import { addL1Sums, l1Factor, modelSparsifyOptions, sparsify } from './sparsify';
import { taskVector } from './unpack';
import { addRandomDropL1SumsWasm, randomDrop } from './wasm/dare';
import { mergeElementwiseWasm } from './wasm/elementwise';
import { sharedKernels } from './wasm/kernels';

/** Every δ kept by the bands: the drop happens before the sums. */
function keepAll(models: number): KeepBands {
  return {
    lo: new Float64Array(models).fill(-Infinity),
    hi: new Float64Array(models).fill(Infinity),
    trimmed: new Uint8Array(models),
  };
}

type SumsJob = Pick<
  TaskArithmeticJob,
  'tensorName' | 'seed' | 'densities' | 'rescale' | 'sparsifier' | 'gammas' | 'epsilons' | 'rowWise'
>;

/**
 * Σ|δ| and Σ|kept| of model m over elements whose stream indices start at `offset`, added to
 * `sums` in element order (the same doubles as sparsify.ts's addL1Sums on its sparsified copy).
 */
export function addRandomDropL1Sums(
  job: SumsJob,
  m: number,
  delta: { base: Float32Array; tuned: Float32Array },
  offset: number,
  sums: { before: number; after: number },
  scratch?: { delta: Float32Array; kept: Float32Array },
): void {
  const kernels = sharedKernels();
  if (kernels) {
    const drop = randomDrop({ ...job, rescale: 'none' }, m);
    addRandomDropL1SumsWasm(kernels, delta.base, delta.tuned, drop, offset, sums);
    return;
  }
  const n = delta.base.length;
  const d = taskVector(delta.base, delta.tuned, scratch?.delta);
  const kept = sparsify(
    d,
    { ...modelSparsifyOptions(job, m), rescale: 'none', rowLen: n, elementOffset: offset },
    scratch?.kept,
  );
  addL1Sums(d, kept, sums);
}

/**
 * The merge of a DARE job on the SIMD kernels, or undefined without WebAssembly SIMD.
 * `reference(part)`: the TS engine's result for a range of the job (a NaN tile).
 */
export function mergeRandomDrop(
  job: TaskArithmeticJob,
  reference: (job: TaskArithmeticJob) => Float32Array,
): TensorResult | undefined {
  const kernels = sharedKernels();
  if (!kernels) return undefined;
  const inputs = elementwiseInputs(job);
  let factors = job.l1Factors;
  if (job.rescale === 'l1' && !factors) {
    factors = inputs.tuned.map((tuned, m) => {
      const sums = { before: 0, after: 0 };
      addRandomDropL1Sums(job, m, { base: inputs.base, tuned }, job.elementOffset ?? 0, sums);
      return l1Factor(sums.before, sums.after);
    });
  }
  const full: TaskArithmeticJob = factors ? { ...job, l1Factors: factors } : job;
  const out = outputArray(job);
  const fallback = (from: number, to: number) =>
    out.set(reference(jobRange(full, from, to) as TaskArithmeticJob), from);
  const { nonFinite } = mergeElementwiseWasm(
    kernels,
    job,
    keepAll(job.models.length),
    inputs,
    out,
    fallback,
    job.models.map((_, m) => randomDrop(job, m, factors?.[m])),
  );
  return { merged: out, nonFinite };
}
