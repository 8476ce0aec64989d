/**
 * Test-only: Parquet files in the layout HF datasets writes for an Image feature + ClassLabel
 * (pyarrow's schema; class names in the `huggingface` key-value metadata), via hyparquet-writer.
 */
import type { CompressionCodec } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

export function hfSchema(labelName = 'label', withLabel = true): SchemaElement[] {
  return [
    { name: 'schema', num_children: withLabel ? 2 : 1 },
    { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ...(withLabel
      ? [{ name: labelName, type: 'INT64' as const, repetition_type: 'OPTIONAL' as const }]
      : []),
  ];
}

export function hfMetadata(column: string, names: string[]) {
  const info = {
    features: { image: { _type: 'Image' }, [column]: { names, _type: 'ClassLabel' } },
  };
  return [{ key: 'huggingface', value: JSON.stringify({ info }) }];
}

export interface HfParquetRow {
  bytes: Uint8Array | null;
  path: string | null;
  label: number | null;
}

export interface HfParquetOptions {
  codec?: CompressionCodec;
  labelName?: string;
  withLabel?: boolean;
  rowGroupSize?: number;
  names?: string[];
}

export function hfParquetBytes(
  rows: readonly HfParquetRow[],
  o: HfParquetOptions = {},
): Uint8Array {
  const labelName = o.labelName ?? 'label';
  const withLabel = o.withLabel ?? true;
  const columnData = [
    { name: 'image', data: rows.map((r) => (r.bytes ? { bytes: r.bytes, path: r.path } : null)) },
    ...(withLabel
      ? [{ name: labelName, data: rows.map((r) => (r.label === null ? null : BigInt(r.label))) }]
      : []),
  ];
  const buf = parquetWriteBuffer({
    schema: hfSchema(labelName, withLabel),
    columnData,
    codec: o.codec ?? 'SNAPPY',
    rowGroupSize: o.rowGroupSize ?? 2,
    kvMetadata: withLabel ? hfMetadata(labelName, o.names ?? ['cat', 'dog', 'owl']) : [],
    ...(o.codec === 'LZO' ? { compressors: { LZO: (x: Uint8Array) => x } } : {}),
  });
  return new Uint8Array(buf);
}
