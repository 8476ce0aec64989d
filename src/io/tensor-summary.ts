import { DTYPE_SIZE, type Dtype, type TensorInfo } from './types';

export interface DtypeSummary {
  dtype: Dtype;
  tensors: number;
  parameters: number;
  bytes: number;
}

export interface TensorSummary {
  tensorCount: number;
  parameterCount: number;
  byteSize: number;
  /** One row per dtype present, most parameters first. */
  dtypes: DtypeSummary[];
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export const tensorByteSize = (dtype: Dtype, shape: readonly number[]): number =>
  elementCount(shape) * DTYPE_SIZE[dtype];

export function summarizeTensors(infos: Iterable<TensorInfo>): TensorSummary {
  const byDtype = new Map<Dtype, DtypeSummary>();
  let tensorCount = 0;
  let parameterCount = 0;
  let byteSize = 0;
  for (const info of infos) {
    const parameters = elementCount(info.shape);
    const bytes = info.end - info.begin;
    tensorCount++;
    parameterCount += parameters;
    byteSize += bytes;
    const row = byDtype.get(info.dtype) ?? {
      dtype: info.dtype,
      tensors: 0,
      parameters: 0,
      bytes: 0,
    };
    row.tensors++;
    row.parameters += parameters;
    row.bytes += bytes;
    byDtype.set(info.dtype, row);
  }
  const dtypes = [...byDtype.values()].sort((a, b) => b.parameters - a.parameters);
  return { tensorCount, parameterCount, byteSize, dtypes };
}
