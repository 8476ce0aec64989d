/**
 * Splitting one job into element ranges that are computed separately (one per thread, in the
 * Node CPU-worker backend): only chunk jobs the executor marked `splitRow` (every statistic
 * resolved, each output element depending on its own element or row alone), in ranges of
 * whole rows. Each part is the same job over a sub-range — inputs and output are views of the
 * job's own arrays, and DARE's random stream stays indexed by the element's place in the
 * whole tensor (elementOffset) — so the parts together give exactly the job's values.
 */
import { DTYPE_SIZE } from '../io/types';
import type { RawTensor, TensorJob } from './backend';

/** Elements in a raw tensor. */
export function rawNumel(raw: RawTensor): number {
  return raw.bytes.byteLength / DTYPE_SIZE[raw.dtype];
}

/** Elements [begin, end) of a raw tensor, as a view of the same bytes. */
export function rawRange(raw: RawTensor, begin: number, end: number): RawTensor {
  const size = DTYPE_SIZE[raw.dtype];
  return { dtype: raw.dtype, bytes: raw.bytes.subarray(begin * size, end * size) };
}

/**
 * Up to `parts` consecutive ranges covering [0, numel), each a multiple of `row` elements
 * (the last may hold the remainder) and at least `minElements` long: fewer parts when the job
 * is small, one when it cannot be split.
 */
export function splitRanges(
  numel: number,
  parts: number,
  row = 1,
  minElements = 1,
): [number, number][] {
  const rows = Math.ceil(numel / row);
  const count = Math.max(1, Math.min(parts, rows, Math.floor(numel / Math.max(1, minElements))));
  const ranges: [number, number][] = [];
  for (let p = 0; p < count; p++) {
    const begin = Math.floor((rows * p) / count) * row;
    const end = Math.min(numel, Math.floor((rows * (p + 1)) / count) * row);
    if (end > begin) ranges.push([begin, end]);
  }
  return ranges;
}

/** The ranges a job may be computed in (one range: do not split). */
export function jobRanges(job: TensorJob, parts: number, minElements: number): [number, number][] {
  // Results with more than `merged` (task models, EMR's masks) are not put back together.
  const more =
    (job.kind === 'consensus' && job.emitTaskModels) ||
    (job.kind === 'tensor_method' && job.method === 'emr');
  if (job.splitRow === undefined || more) {
    return [[0, job.numel]];
  }
  return splitRanges(job.numel, parts, job.splitRow, minElements);
}

/** The job restricted to elements [begin, end): inputs and output are views, not copies. */
export function jobRange(job: TensorJob, begin: number, end: number): TensorJob {
  const numel = end - begin;
  const row = job.splitRow ?? 1;
  const common = {
    numel,
    shape: row > 1 ? [numel / row, row] : [numel],
    ...(job.output ? { output: job.output.subarray(begin, end) } : {}),
  };
  const range = (r: RawTensor) => rawRange(r, begin, end);
  switch (job.kind) {
    case 'task_arithmetic':
      return {
        ...job,
        ...common,
        base: range(job.base),
        models: job.models.map(range),
        elementOffset: (job.elementOffset ?? 0) + begin,
      };
    case 'linear':
      return { ...job, ...common, models: job.models.map(range) };
    case 'slerp':
      return { ...job, ...common, a: range(job.a), b: range(job.b) };
    case 'model_stock':
    case 'consensus':
      return { ...job, ...common, base: range(job.base), models: job.models.map(range) };
    case 'tensor_method':
      // Only the streamed methods' chunks are marked splitRow (whole-tensor jobs stay whole).
      return {
        ...job,
        ...common,
        ...(job.base ? { base: range(job.base) } : {}),
        models: job.models.map(range),
        elementOffset: (job.elementOffset ?? 0) + begin,
      };
  }
}
