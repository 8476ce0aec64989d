import { describe, expect, it } from 'vitest';
import { addNoise, invert, rotate90, shrinkToQuadrant } from './transforms';
import { Rng } from './prng';

describe('rotate90', () => {
  // 3×3 image with distinct values:      a quarter turn counter-clockwise gives:
  // 1 2 3                                 3 6 9
  // 4 5 6                                 2 5 8
  // 7 8 9                                 1 4 7
  const src = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('turns a quarter counter-clockwise', () => {
    expect([...rotate90(src, 3, 1)]).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
  });

  it('turns half way as two quarters, and four quarters is the identity', () => {
    expect([...rotate90(src, 3, 2)]).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect([...rotate90(src, 3, 4)]).toEqual([...src]);
    expect([...rotate90(rotate90(src, 3, 1), 3, 3)]).toEqual([...src]);
  });
});

describe('invert', () => {
  it('maps v to 255 − v', () => {
    expect([...invert(Uint8Array.from([0, 10, 255]))]).toEqual([255, 245, 0]);
  });
});

describe('addNoise', () => {
  const src = new Uint8Array(784).fill(128);

  it('is a pure function of the seed', () => {
    expect(addNoise(src, 50, new Rng(7, 'x'))).toEqual(addNoise(src, 50, new Rng(7, 'x')));
    expect(addNoise(src, 50, new Rng(7, 'x'))).not.toEqual(addNoise(src, 50, new Rng(8, 'x')));
  });

  it('has roughly the requested standard deviation around the image', () => {
    const noisy = addNoise(src, 20, new Rng(1));
    const mean = noisy.reduce((a, b) => a + b, 0) / noisy.length;
    const sd = Math.sqrt(noisy.reduce((a, b) => a + (b - mean) ** 2, 0) / noisy.length);
    expect(Math.abs(mean - 128)).toBeLessThan(3);
    expect(sd).toBeGreaterThan(17);
    expect(sd).toBeLessThan(23);
  });
});

describe('shrinkToQuadrant', () => {
  it('averages 2×2 blocks into the chosen quadrant and leaves the rest black', () => {
    const src = new Uint8Array(16).fill(0);
    // 4×4 image with a bright 2×2 block top-left (value 200) and one pixel 100 at (3,3).
    src[0] = src[1] = src[4] = src[5] = 200;
    src[15] = 100;
    const out = shrinkToQuadrant(src, 4, 3); // bottom-right quadrant: origin (2, 2)
    expect(out[2 * 4 + 2]).toBe(200);
    expect(out[3 * 4 + 3]).toBe(25);
    expect(out[0]).toBe(0);
    expect(out.reduce((a, b) => a + b, 0)).toBe(225);
  });
});
