/**
 * Deterministic pixel transforms that turn a source image into a task's input. Each one maps a
 * 28×28 uint8 image to a new 28×28 uint8 image; randomness (noise, position) comes from the Rng
 * passed in, so a task's data is a pure function of its seed.
 */
import type { Rng } from './prng';

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Rotates by k·90° counter-clockwise. */
export function rotate90(src: Uint8Array, side: number, k: number): Uint8Array {
  const turns = ((k % 4) + 4) % 4;
  const out = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let sx = x;
      let sy = y;
      // Counter-clockwise rotation: out(x, y) = src(side-1-y, x) for one turn.
      for (let t = 0; t < turns; t++) {
        const nx = side - 1 - sy;
        const ny = sx;
        sx = nx;
        sy = ny;
      }
      out[y * side + x] = src[sy * side + sx] ?? 0;
    }
  }
  return out;
}

/** Dark-on-light instead of light-on-dark. */
export function invert(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = 255 - (src[i] ?? 0);
  return out;
}

/** Adds Gaussian noise of standard deviation `sigma` (in 0–255 units), clipped. */
export function addNoise(src: Uint8Array, sigma: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = clampByte((src[i] ?? 0) + sigma * rng.normal());
  return out;
}

/**
 * Shrinks the image by 2 (2×2 box average) and pastes it into quadrant `quadrant` (0 top-left,
 * 1 top-right, 2 bottom-left, 3 bottom-right) of an otherwise black image.
 */
export function shrinkToQuadrant(src: Uint8Array, side: number, quadrant: number): Uint8Array {
  const half = side / 2;
  const out = new Uint8Array(side * side);
  const ox = (quadrant % 2) * half;
  const oy = Math.floor(quadrant / 2) * half;
  for (let y = 0; y < half; y++) {
    for (let x = 0; x < half; x++) {
      const a = src[2 * y * side + 2 * x] ?? 0;
      const b = src[2 * y * side + 2 * x + 1] ?? 0;
      const c = src[(2 * y + 1) * side + 2 * x] ?? 0;
      const d = src[(2 * y + 1) * side + 2 * x + 1] ?? 0;
      out[(oy + y) * side + ox + x] = Math.round((a + b + c + d) / 4);
    }
  }
  return out;
}
