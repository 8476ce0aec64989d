import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDataFolder } from '../../io/node';
import { memoryDataFolder } from '../../io';
import type { ImageBatch, ImageErrorReport } from './batches';
import { parsePreprocessorConfig, preprocessForClip } from './clip-preprocess';
import { decodeImage } from './decode';
import { loadPreprocessFixtures } from './fixtures/preprocess-fixtures';
import { compareCodePoints, imageFolderBatches, readImageFolder } from './image-folder';

const fx = loadPreprocessFixtures();
const png = fx.file('rgb_land.png');
const jpg = fx.file('photo444.jpg');
const gray = fx.file('gray.png');
const cfg = parsePreprocessorConfig({ size: 16, crop_size: 16 }, 'p.json');

async function collect(it: AsyncIterable<ImageBatch>): Promise<ImageBatch[]> {
  const out: ImageBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('readImageFolder', () => {
  it('labels class folders in sorted order (torchvision), recursing and skipping non-images', async () => {
    const folder = memoryDataFolder('task', {
      'dog/1.png': png,
      'dog/sub/2.JPG': jpg,
      'cat/a.jpeg': jpg,
      'cat/notes.txt': new Uint8Array(1),
      'Zebra/z.PNG': gray,
      'loose.png': png,
      'README.md': new Uint8Array(1),
    });
    const ds = await readImageFolder(folder);
    // Code point order: upper case sorts before lower case, as Python's sorted().
    expect(ds.classNames).toEqual(['Zebra', 'cat', 'dog']);
    expect(ds.items).toEqual([
      { path: 'Zebra/z.PNG', label: 0 },
      { path: 'cat/a.jpeg', label: 1 },
      { path: 'dog/1.png', label: 2 },
      { path: 'dog/sub/2.JPG', label: 2 },
    ]);
    expect(ds.skipped.sort()).toEqual(['README.md', 'cat/notes.txt', 'loose.png']);
  });

  it('treats images in the root as an unlabelled set', async () => {
    const ds = await readImageFolder(
      memoryDataFolder('u', { 'b.png': png, 'a.jpg': jpg, 'x.csv': png }),
    );
    expect(ds.classNames).toBeNull();
    expect(ds.items).toEqual([
      { path: 'a.jpg', label: null },
      { path: 'b.png', label: null },
    ]);
    expect(ds.skipped).toEqual(['x.csv']);
  });

  it('refuses an empty folder, a folder without images and an empty class folder', async () => {
    await expect(readImageFolder(memoryDataFolder('e', {}))).rejects.toThrow(
      'e: the folder is empty',
    );
    await expect(readImageFolder(memoryDataFolder('t', { 'a.txt': png }))).rejects.toThrow(
      't: no images (.png .jpg .jpeg) in the folder',
    );
    await expect(
      readImageFolder(memoryDataFolder('c', { 'cat/1.png': png, 'dog/readme.txt': png })),
    ).rejects.toThrow('c: class folder with no images (.png .jpg .jpeg): dog');
  });

  it('compares by code point like Python', () => {
    const names = ['b', 'B', 'ä', '😀', '\uffff', 'a'];
    expect([...names].sort(compareCodePoints)).toEqual(['B', 'a', 'b', 'ä', '\uffff', '😀']);
  });
});

describe('imageFolderBatches', () => {
  it('decodes and preprocesses in batches, reporting and skipping broken images', async () => {
    const folder = memoryDataFolder('task', {
      'cat/1.png': png,
      'cat/2-broken.png': png.subarray(0, 100),
      'cat/3.jpg': jpg,
      'dog/4.png': gray,
      'dog/5-not-image.png': new TextEncoder().encode('<html>'),
      'dog/6.png': png,
    });
    const ds = await readImageFolder(folder);
    const errors: ImageErrorReport[] = [];
    const batches = await collect(
      imageFolderBatches(ds, cfg, { batchSize: 3, onError: (e) => errors.push(e) }),
    );
    expect(errors).toEqual([
      { name: 'cat/2-broken.png', reason: expect.stringMatching(/truncated PNG|broken PNG/) },
      { name: 'dog/5-not-image.png', reason: 'not a PNG or JPEG image' },
    ]);
    expect(batches.map((b) => b.size)).toEqual([3, 1]);
    expect(batches.flatMap((b) => b.names)).toEqual([
      'cat/1.png',
      'cat/3.jpg',
      'dog/4.png',
      'dog/6.png',
    ]);
    expect([...batches[0]!.labels, ...batches[1]!.labels]).toEqual([0, 0, 1, 1]);
    const per = 16 * 16 * 3;
    expect(batches[0]!.pixels.length).toBe(3 * per);
    const ref = preprocessForClip(decodeImage(gray, 'g'), cfg);
    expect(batches[0]!.pixels.subarray(2 * per, 3 * per)).toEqual(ref);
  });

  it('gives -1 labels for an unlabelled set and checks the batch size and config', async () => {
    const ds = await readImageFolder(memoryDataFolder('u', { 'a.png': png }));
    const [b] = await collect(imageFolderBatches(ds, cfg, { batchSize: 8, onError: () => {} }));
    expect([...b!.labels]).toEqual([-1]);
    await expect(
      collect(imageFolderBatches(ds, cfg, { batchSize: 0, onError: () => {} })),
    ).rejects.toThrow('batch size must be a positive integer');
    const noCrop = parsePreprocessorConfig({ do_center_crop: false }, 'p.json');
    await expect(
      collect(imageFolderBatches(ds, noCrop, { batchSize: 2, onError: () => {} })),
    ).rejects.toThrow('batches need one image size');
  });
});

describe('an ImageFolder on disk', () => {
  it('reads through nodeDataFolder (each file opened and closed in turn)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'imagefolder-'));
    try {
      for (const [path, bytes] of [
        ['b/1.png', png],
        ['a/2.jpg', jpg],
        ['a/.hidden.png', png],
        ['a/3.png', gray],
      ] as const) {
        await mkdir(join(root, path, '..'), { recursive: true });
        await writeFile(join(root, path), bytes);
      }
      const ds = await readImageFolder(nodeDataFolder(root));
      expect(ds.classNames).toEqual(['a', 'b']);
      const errors: ImageErrorReport[] = [];
      const batches = await collect(
        imageFolderBatches(ds, cfg, { batchSize: 2, onError: (e) => errors.push(e) }),
      );
      expect(errors).toEqual([]);
      expect(batches.flatMap((b) => [...b.labels])).toEqual([0, 0, 1]);
      expect(batches[1]!.pixels).toEqual(preprocessForClip(decodeImage(png, 'p'), cfg));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
