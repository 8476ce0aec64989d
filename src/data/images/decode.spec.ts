import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError } from './decode';
import { loadPreprocessFixtures } from './fixtures/preprocess-fixtures';

const fx = loadPreprocessFixtures();

/** Largest |a - b| over the arrays (same length asserted). */
function maxDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('decodeImage against PIL convert("RGB")', () => {
  const pngs = fx.manifest.images.filter((i) => i.file.endsWith('.png'));
  it.each(pngs.map((i) => [i.file, i.pilMode] as const))('%s (PIL mode %s) exactly', (file) => {
    const img = decodeImage(fx.file(file), `cat/${file}`);
    const ref = fx.image(file);
    expect([img.width, img.height]).toEqual([ref.width, ref.height]);
    expect(maxDiff(img.data, fx.pilPixels(file))).toBe(0);
  });

  // jpeg-js is not libjpeg: its IDCT rounds differently, and it upsamples subsampled chroma
  // by pixel replication where libjpeg uses "fancy" (triangle) upsampling. Measured on these
  // fixtures (a noisy checker pattern, the worst case for chroma): 4:4:4 baseline and
  // progressive max 3 levels, mean 0.48; grayscale max 1, mean 0.05; Adobe CMYK (PIL-written)
  // max 1, mean 0.07; 4:2:0 max 33, mean 6.2.
  const tolerances: Record<string, [number, number]> = {
    'photo444.jpg': [3, 0.5],
    'progressive.jpg': [3, 0.5],
    'gray.jpg': [1, 0.06],
    'cmyk.jpg': [1, 0.08],
    'photo420.jpg': [33, 6.5],
  };
  it.each(Object.entries(tolerances))('%s within the stated tolerance', (file, [max, mean]) => {
    const img = decodeImage(fx.file(file), file);
    const ref = fx.pilPixels(file);
    expect(maxDiff(img.data, ref)).toBeLessThanOrEqual(max);
    let sum = 0;
    for (let i = 0; i < ref.length; i++) sum += Math.abs(img.data[i]! - ref[i]!);
    expect(sum / ref.length).toBeLessThanOrEqual(mean);
  });
});

describe('decodeImage errors', () => {
  it('names the file for non-images', () => {
    expect(() => decodeImage(new TextEncoder().encode('hello world'), 'cat/001.png')).toThrow(
      new ImageDecodeError('cat/001.png', 'not a PNG or JPEG image'),
    );
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow('empty.png: not a PNG');
  });

  it('reports truncated PNGs and JPEGs', () => {
    const png = fx.file('rgb_land.png');
    for (const cut of [20, 40, png.length >> 1, png.length - 20]) {
      expect(() => decodeImage(png.subarray(0, cut), 'cat/001.png'), `${cut}`).toThrow(
        'cat/001.png: truncated PNG',
      );
    }
    const jpg = fx.file('photo444.jpg');
    for (const cut of [10, 200, jpg.length >> 1]) {
      expect(() => decodeImage(jpg.subarray(0, cut), 'a.jpg'), `${cut}`).toThrow(
        'a.jpg: truncated JPEG',
      );
    }
  });

  it('reports corrupted data', () => {
    const png = fx.file('rgb_land.png').slice();
    for (let i = 60; i < 200; i++) png[i] = png[i]! ^ 0x5a;
    expect(() => decodeImage(png, 'x.png')).toThrow(/^x\.png: broken PNG \(/);
    const jpg = fx.file('photo444.jpg').slice();
    jpg[3] = 0x01; // SOI, then FF 01: not a marker a baseline file may have
    expect(() => decodeImage(jpg, 'y.jpg')).toThrow(/^y\.jpg: broken JPEG \(/);
  });
});
