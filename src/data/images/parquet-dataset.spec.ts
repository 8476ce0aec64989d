import { describe, expect, it } from 'vitest';
import { memorySource } from '../../io';
import type { ImageBatch, ImageErrorReport } from './batches';
import { parsePreprocessorConfig, preprocessForClip } from './clip-preprocess';
import { decodeImage } from './decode';
import { loadPreprocessFixtures } from './fixtures/preprocess-fixtures';
import { hfParquetBytes, type HfParquetOptions, type HfParquetRow } from '../testing/hf-parquet';
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

function writeSet(rows: HfParquetRow[], o: HfParquetOptions = {}) {
  return memorySource(hfParquetBytes(rows, o), 'test-00000-of-00001.parquet');
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
