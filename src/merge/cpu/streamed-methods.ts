/**
 * The catalogue methods that stream: each output element depends on its own element of the
 * inputs and on a few whole-tensor sums (norms, counts, dots). A method declares how many reads
 * of the tensor those sums take; the executor makes them over element chunks
 * (executor/tensor-statistics.ts), then merges chunk by chunk with the sums attached
 * (TensorMethodJob.statistics), so memory is a few chunks of every input, never the tensor.
 * A tensor that is one unit runs the same passes over its whole inputs (runWhole): one
 * formula, and since the sums run in element order either way, the same bits.
 */
import type { TensorMethodJob, TensorResult } from '../backend';
import type { MethodInputs } from './svd-merges';

export type MethodTemplate = Pick<
  TensorMethodJob,
  'method' | 'global' | 'perModel' | 'tensorName' | 'hasBase' | 'shape' | 'numel' | 'tensorShape'
>;

/** The whole tensor's shape and size, from a chunk's job or the whole tensor's. */
export function wholeTensor(job: Pick<MethodTemplate, 'shape' | 'numel' | 'tensorShape'>) {
  const shape = job.tensorShape ?? job.shape;
  return { shape, numel: job.tensorShape ? shape.reduce((a, b) => a * b, 1) : job.numel };
}

/** A chunk's first element's index in the whole tensor. */
export const chunkOffset = (job: Pick<TensorMethodJob, 'elementOffset'>) => job.elementOffset ?? 0;

/** Whole-tensor sums, one array per pass (earlier passes closed when a later one runs). */
export type MethodStatistics = number[][];

export interface StreamedMethod {
  /** False for settings that need the whole tensor at once (e.g. SCE's variance top-k). */
  streams?(job: MethodTemplate): boolean;
  /** Reads of the tensor before the merge read (0: element-wise from the start). */
  passes(job: MethodTemplate, models: number): number;
  /** Pass `pass`'s running sums, before the first chunk. */
  init?(job: MethodTemplate, pass: number, models: number): number[];
  /** Adds one chunk into stats[pass] (element order, so the sums are the whole tensor's). */
  add?(job: TensorMethodJob, pass: number, inputs: MethodInputs, stats: MethodStatistics): void;
  /** Turns pass `pass`'s sums into what later passes and the merge read. */
  close?(job: MethodTemplate, pass: number, stats: MethodStatistics, numel: number): void;
  /** The merged values of one chunk (or of the whole tensor). */
  merge(
    job: TensorMethodJob,
    inputs: MethodInputs,
    stats: MethodStatistics,
  ): Float32Array | TensorResult;
}

/** Every pass over the inputs at hand, then the merge: the whole-tensor form of a method. */
export function runWhole(
  method: StreamedMethod,
  job: TensorMethodJob,
  inputs: MethodInputs,
): Float32Array | TensorResult {
  const stats = job.statistics ?? passStatistics(method, job, [inputs], job.numel);
  return method.merge(job, inputs, stats);
}

/** The sums of every pass over chunks given in element order (an iterable per pass). */
export function passStatistics(
  method: StreamedMethod,
  job: TensorMethodJob,
  chunks: Iterable<MethodInputs>,
  numel: number,
): MethodStatistics {
  const stats: MethodStatistics = [];
  const models = job.perModel.length;
  for (let pass = 0; pass < method.passes(job, models); pass++) {
    stats[pass] = method.init?.(job, pass, models) ?? [];
    for (const inputs of chunks) method.add?.(job, pass, inputs, stats);
    method.close?.(job, pass, stats, numel);
  }
  return stats;
}
