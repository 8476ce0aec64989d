import type { CompressionCodec } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../io/sources';
import type { ImageBatch, ImageErrorReport } from './batches';
import { parsePreprocessorConfig, preprocessForClip } from './clip-preprocess';
import { decodeImage } from './decode';
import { loadPreprocessFixtures } from './fixtures/preprocess-fixtures';
import {
  openParquetImageDataset,
  parquetImageBatches,
  parquetImages,
  ParquetDatasetError,
} from './parquet-dataset';

const fx = loadPreprocessFixtures();
const images = [
  fx.file('rgb_land.png'),
  fx.file('photo444.jpg'),
  fx.file('gray.png'),
  fx.file('palette.png'),
];
const cfg = parsePreprocessorConfig({ size: 16, crop_size: 16 }, 'p.json');

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

/** pyarrow's layout for an HF Image feature + ClassLabel, as HF datasets writes it. */
function hfSchema(labelName = 'label', withLabel = true): SchemaElement[] {
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

function hfMetadata(column: string, names: string[]) {
  const info = {
    features: { image: { _type: 'Image' }, [column]: { names, _type: 'ClassLabel' } },
  };
  return [{ key: 'huggingface', value: JSON.stringify({ info }) }];
}

interface WriteOpts {
  codec?: CompressionCodec;
  labelName?: string;
  withLabel?: boolean;
  rowGroupSize?: number;
  names?: string[];
}

function writeSet(
  rows: { bytes: Uint8Array | null; path: string | null; label: number | null }[],
  o: WriteOpts = {},
) {
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
  return memorySource(new Uint8Array(buf), 'test-00000-of-00001.parquet');
}

const rows = [
  { bytes: images[0]!, path: 'a.png', label: 0 },
  { bytes: images[1]!, path: 'b.jpg', label: 2 },
  { bytes: images[2]!.subarray(0, 60), path: 'broken.png', label: 1 },
  { bytes: null, path: null, label: 1 },
  { bytes: images[3]!, path: null, label: 1 },
];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('openParquetImageDataset', () => {
  it.each(['SNAPPY', 'UNCOMPRESSED'] as const)(
    'reads schema, class names and rows (%s)',
    async (codec) => {
      const ds = await openParquetImageDataset(writeSet(rows, { codec }));
      expect(ds.numRows).toBe(5);
      expect(ds.metadata.row_groups).toHaveLength(3);
      expect(ds.classNames).toEqual(['cat', 'dog', 'owl']);
      expect(ds.labelColumn).toBe('label');
      const items = await collect(parquetImages(ds, 1));
      expect(items.map((i) => i.label)).toEqual([0, 2, 1, 1, 1]);
      expect(items[0]!.bytes).toEqual(images[0]);
      expect(items[1]!.name).toBe('test-00000-of-00001.parquet row 1 (b.jpg)');
      expect(items[3]!.bytes).toBeInstanceOf(Error);
      expect(items[4]!.name).toBe('test-00000-of-00001.parquet row 4');
    },
  );

  it('finds class names under another label column and allows an unlabelled set', async () => {
    const fine = await openParquetImageDataset(
      writeSet(rows, { labelName: 'fine_label', names: ['x', 'y', 'z'] }),
      {
        labelColumn: 'fine_label',
      },
    );
    expect(fine.classNames).toEqual(['x', 'y', 'z']);
    const unlabelled = await openParquetImageDataset(writeSet(rows, { withLabel: false }));
    expect(unlabelled.labelColumn).toBeNull();
    expect(unlabelled.classNames).toBeNull();
    expect((await collect(parquetImages(unlabelled))).map((i) => i.label)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('names the file in clear errors', async () => {
    const notParquet = memorySource(
      new TextEncoder().encode('not a parquet file at all'),
      'x.parquet',
    );
    await expect(openParquetImageDataset(notParquet)).rejects.toThrow(
      /^x\.parquet: not a readable Parquet file/,
    );
    const set = writeSet(rows);
    await expect(openParquetImageDataset(set, { imageColumn: 'img' })).rejects.toThrow(
      "test-00000-of-00001.parquet: no 'img' column (columns: image, label)",
    );
    await expect(openParquetImageDataset(set, { labelColumn: 'fine_label' })).rejects.toThrow(
      "no 'fine_label' column",
    );
    await expect(openParquetImageDataset(set, { imageColumn: 'label' })).rejects.toThrow(
      "column 'label' is neither a {bytes, path} struct nor binary",
    );
    await expect(openParquetImageDataset(writeSet(rows, { codec: 'LZO' }))).rejects.toThrow(
      ParquetDatasetError,
    );
    await expect(openParquetImageDataset(writeSet(rows, { codec: 'LZO' }))).rejects.toThrow(
      "column 'image.bytes' uses unsupported compression LZO",
    );
  });
});

describe('parquetImageBatches', () => {
  it('preprocesses rows in batches, reporting broken rows and out-of-range labels', async () => {
    const withBadLabel = [...rows, { bytes: images[0]!, path: 'c.png', label: 7 }];
    const ds = await openParquetImageDataset(writeSet(withBadLabel));
    const errors: ImageErrorReport[] = [];
    const batches: ImageBatch[] = await collect(
      parquetImageBatches(ds, cfg, { batchSize: 2, onError: (e) => errors.push(e) }),
    );
    expect(errors.map((e) => [e.name.replace(/^.* row /, 'row '), e.reason])).toEqual([
      ['row 2 (broken.png)', expect.stringMatching(/truncated PNG|broken PNG/)],
      ['row 3', 'no image bytes in this row'],
      ['row 5 (c.png)', 'label 7 is outside the 3 class names'],
    ]);
    expect(batches.map((b) => b.size)).toEqual([2, 1]);
    expect([...batches[0]!.labels, ...batches[1]!.labels]).toEqual([0, 2, 1]);
    const per = 16 * 16 * 3;
    expect(batches[1]!.pixels).toEqual(preprocessForClip(decodeImage(images[3]!, 'p'), cfg));
    expect(batches[0]!.pixels.subarray(0, per)).toEqual(
      preprocessForClip(decodeImage(images[0]!, 'a'), cfg),
    );
  });
});
