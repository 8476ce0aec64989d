/**
 * An HF datasets Parquet file of images (FusionBench's test sets): rows `{image: {bytes, path},
 * label}`, class names in the file's key-value metadata (`huggingface` → JSON
 * `info.features.<label column>.names`). Read with hyparquet one row group at a time, so
 * only one group's image bytes are in memory, never the whole file.
 */
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, CompressionCodec, FileMetaData, SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ByteSource } from '../../io/types';
import type { ClipPreprocessConfig } from './clip-preprocess';
import {
  preprocessBatches,
  type BatchOptions,
  type EncodedImage,
  type ImageBatch,
} from './batches';

export class ParquetDatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ParquetDatasetError';
  }
}

/** Codecs hyparquet (SNAPPY) and hyparquet-compressors (the rest) decompress. */
export const SUPPORTED_CODECS: readonly CompressionCodec[] = [
  'UNCOMPRESSED',
  'SNAPPY',
  'GZIP',
  'BROTLI',
  'ZSTD',
  'LZ4',
  'LZ4_RAW',
];

export interface ParquetDatasetOptions {
  /** Default 'image'. A struct {bytes, path} (HF Image feature) or a plain binary column. */
  readonly imageColumn?: string;
  /** Default 'label'; when absent from the file the set is unlabelled. */
  readonly labelColumn?: string;
}

export interface ParquetImageDataset {
  readonly source: ByteSource;
  readonly metadata: FileMetaData;
  readonly numRows: number;
  readonly imageColumn: string;
  /** 'struct' for HF's {bytes, path}; 'binary' for a plain bytes column. */
  readonly imageLayout: 'struct' | 'binary';
  /** null when the file has no label column. */
  readonly labelColumn: string | null;
  /** From the `huggingface` metadata; null when absent or the set is unlabelled. */
  readonly classNames: string[] | null;
}

/** hyparquet reads through this: lazy byte ranges of the ByteSource. */
export function asyncBufferFromSource(source: ByteSource): AsyncBuffer {
  return {
    byteLength: source.size,
    async slice(start, end) {
      const b = await source.read(start, end ?? source.size);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
}

/** Reads and validates the footer (schema, codecs, class names); no image is read yet. */
export async function openParquetImageDataset(
  source: ByteSource,
  options: ParquetDatasetOptions = {},
): Promise<ParquetImageDataset> {
  const file = source.name;
  const fail = (problem: string) => new ParquetDatasetError(file, problem);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(asyncBufferFromSource(source));
  } catch (e) {
    throw fail(`not a readable Parquet file (${e instanceof Error ? e.message : String(e)})`);
  }
  const top = parquetSchema(metadata).children;
  const names = top.map((c) => c.element.name);
  const imageColumn = options.imageColumn ?? 'image';
  const image = top.find((c) => c.element.name === imageColumn);
  if (!image) throw fail(`no '${imageColumn}' column (columns: ${names.join(', ')})`);
  const imageLayout = imageLayoutOf(image);
  if (!imageLayout) {
    throw fail(`column '${imageColumn}' is neither a {bytes, path} struct nor binary`);
  }
  const wantedLabel = options.labelColumn ?? 'label';
  const label = top.find((c) => c.element.name === wantedLabel);
  if (label && label.children.length > 0) throw fail(`column '${wantedLabel}' is not a number`);
  if (options.labelColumn !== undefined && !label) {
    throw fail(`no '${wantedLabel}' column (columns: ${names.join(', ')})`);
  }
  const labelColumn = label ? wantedLabel : null;
  checkCodecs(metadata, [imageColumn, ...(labelColumn ? [labelColumn] : [])], fail);
  return {
    source,
    metadata,
    numRows: Number(metadata.num_rows),
    imageColumn,
    imageLayout,
    labelColumn,
    classNames: labelColumn ? classNamesFromMetadata(metadata, labelColumn, fail) : null,
  };
}

function imageLayoutOf(col: SchemaTree): 'struct' | 'binary' | undefined {
  if (col.children.length === 0) return col.element.type === 'BYTE_ARRAY' ? 'binary' : undefined;
  const bytes = col.children.find((c) => c.element.name === 'bytes');
  return bytes && bytes.element.type === 'BYTE_ARRAY' ? 'struct' : undefined;
}

function checkCodecs(
  metadata: FileMetaData,
  columns: string[],
  fail: (problem: string) => Error,
): void {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta || !columns.includes(meta.path_in_schema[0]!)) continue;
      if (!SUPPORTED_CODECS.includes(meta.codec)) {
        throw fail(
          `column '${meta.path_in_schema.join('.')}' uses unsupported compression ${meta.codec} ` +
            `(supported: ${SUPPORTED_CODECS.join(', ')})`,
        );
      }
    }
  }
}

/** `info.features.<column>.names` of the `huggingface` key-value metadata, if present. */
function classNamesFromMetadata(
  metadata: FileMetaData,
  column: string,
  fail: (problem: string) => Error,
): string[] | null {
  const kv = metadata.key_value_metadata?.find((k) => k.key === 'huggingface');
  if (!kv?.value) return null;
  let hf: unknown;
  try {
    hf = JSON.parse(kv.value);
  } catch {
    throw fail("the 'huggingface' metadata is not valid JSON");
  }
  const features = (hf as { info?: { features?: Record<string, unknown> } })?.info?.features;
  const feature = features?.[column] as { names?: unknown } | undefined;
  const names = feature?.names;
  if (names === undefined) return null;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw fail(`'huggingface' metadata: info.features.${column}.names is not a list of strings`);
  }
  return names as string[];
}

type Row = Record<string, unknown>;

function toLabel(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN;
  // HF datasets writes -1 for "no label" in a ClassLabel column.
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function rowImage(ds: ParquetImageDataset, row: Row, index: number): EncodedImage {
  const value = row[ds.imageColumn];
  const struct =
    ds.imageLayout === 'struct' ? (value as { bytes?: unknown; path?: unknown } | null) : null;
  const bytes = ds.imageLayout === 'struct' ? struct?.bytes : value;
  const path = typeof struct?.path === 'string' && struct.path !== '' ? ` (${struct.path})` : '';
  const name = `${ds.source.name} row ${index}${path}`;
  const label = ds.labelColumn ? toLabel(row[ds.labelColumn]) : null;
  if (!(bytes instanceof Uint8Array)) {
    return { name, label, bytes: new Error('no image bytes in this row') };
  }
  if (label !== null && ds.classNames && label >= ds.classNames.length) {
    return {
      name,
      label,
      bytes: new Error(
        `${name}: label ${label} is outside the ${ds.classNames.length} class names`,
      ),
    };
  }
  return { name, label, bytes };
}

/** Rows as encoded images, one row group (at most maxRowsPerRead rows) per read. */
export async function* parquetImages(
  ds: ParquetImageDataset,
  maxRowsPerRead = 256,
): AsyncGenerator<EncodedImage> {
  const file = asyncBufferFromSource(ds.source);
  const columns = [ds.imageColumn, ...(ds.labelColumn ? [ds.labelColumn] : [])];
  let groupStart = 0;
  for (const group of ds.metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    for (let start = groupStart; start < groupEnd; start += maxRowsPerRead) {
      const end = Math.min(groupEnd, start + maxRowsPerRead);
      const rows = await readRows(ds, file, columns, start, end);
      for (let i = 0; i < rows.length; i++) yield rowImage(ds, rows[i]!, start + i);
    }
    groupStart = groupEnd;
  }
}

async function readRows(
  ds: ParquetImageDataset,
  file: AsyncBuffer,
  columns: string[],
  rowStart: number,
  rowEnd: number,
): Promise<Row[]> {
  let rows: Row[] = [];
  try {
    await parquetRead({
      file,
      metadata: ds.metadata,
      columns,
      rowStart,
      rowEnd,
      compressors,
      // Plain BYTE_ARRAY (the image bytes) stays binary; UTF8-annotated `path` is a string.
      utf8: false,
      rowFormat: 'object',
      onComplete: (r) => {
        rows = r;
      },
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ParquetDatasetError(ds.source.name, `rows ${rowStart}–${rowEnd - 1}: ${why}`);
  }
  return rows;
}

/** Decoded, preprocessed batches of a Parquet image set (broken images reported, skipped). */
export function parquetImageBatches(
  ds: ParquetImageDataset,
  cfg: ClipPreprocessConfig,
  options: BatchOptions,
): AsyncGenerator<ImageBatch> {
  return preprocessBatches(parquetImages(ds), cfg, options);
}
