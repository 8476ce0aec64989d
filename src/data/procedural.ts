/**
 * Procedurally generated 28×28 images for tasks that real data does not cover: geometric shapes
 * and oriented stripe gratings. Every image is a pure function of the Rng state.
 */
import type { Rng } from './prng';
import { SIDE } from './images';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross', 'ring', 'diamond'] as const;

/** Signed "inside" test of each shape in its own unit frame (u, v ∈ [-1, 1]). */
function insideShape(kind: number, u: number, v: number): boolean {
  switch (kind) {
    case 0:
      return u * u + v * v <= 1;
    case 1:
      return Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85;
    case 2:
      // Upward triangle: apex at v=-1, base at v=0.9.
      return v <= 0.9 && v >= -1 && Math.abs(u) <= (v + 1) / 1.9;
    case 3:
      return (Math.abs(u) <= 0.3 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 1);
    case 4: {
      const r = Math.sqrt(u * u + v * v);
      return r <= 1 && r >= 0.55;
    }
    default:
      return Math.abs(u) + Math.abs(v) <= 1;
  }
}

/** One shape of class `kind` at a random position, size, slight rotation and brightness, plus noise. */
export function renderShape(kind: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(SIDE * SIDE);
  const radius = rng.range(6, 11);
  const cx = rng.range(radius + 1, SIDE - radius - 1);
  const cy = rng.range(radius + 1, SIDE - radius - 1);
  const angle = rng.range(-0.35, 0.35);
  const brightness = rng.range(150, 255);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const samples = [0.25, 0.75];
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let hits = 0;
      for (const sy of samples) {
        for (const sx of samples) {
          const dx = (x + sx - cx) / radius;
          const dy = (y + sy - cy) / radius;
          if (insideShape(kind, cos * dx + sin * dy, -sin * dx + cos * dy)) hits++;
        }
      }
      const noise = 20 * rng.normal();
      const v = (hits / 4) * brightness + noise;
      out[y * SIDE + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

/** Orientation classes of the gratings task, in degrees. */
export const GRATING_ANGLES = [0, 30, 60, 90, 120, 150] as const;

/** A sinusoidal grating at GRATING_ANGLES[kind] ± 5°, random period/phase/contrast, plus noise. */
export function renderGrating(kind: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(SIDE * SIDE);
  const degrees = (GRATING_ANGLES[kind] ?? 0) + rng.range(-5, 5);
  const theta = (degrees * Math.PI) / 180;
  const period = rng.range(5, 10);
  const phase = rng.range(0, 2 * Math.PI);
  const contrast = rng.range(60, 127);
  const nx = Math.cos(theta);
  const ny = Math.sin(theta);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const s = Math.sin((2 * Math.PI * (x * nx + y * ny)) / period + phase);
      const v = 128 + contrast * s + 25 * rng.normal();
      out[y * SIDE + x] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return out;
}
