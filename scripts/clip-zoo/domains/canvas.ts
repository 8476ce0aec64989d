/**
 * A tiny RGB raster for the procedural domains: float [0, 1] channels, shapes painted by an
 * inside test with 2×2 supersampling (so edges are anti-aliased and every draw is a pure
 * function of its arguments — same seed, same bytes).
 */
import type { RgbImage } from '../../../src/data/images/index';
import type { Rng } from '../../../src/data/prng';

export type Rgb = readonly [number, number, number];

export class Canvas {
  readonly data: Float32Array;

  constructor(
    readonly size: number,
    background: Rgb = [0, 0, 0],
  ) {
    this.data = new Float32Array(size * size * 3);
    this.fill(() => background);
  }

  /** Sets every pixel to colour(x, y) (pixel centres at +0.5). */
  fill(colour: (x: number, y: number) => Rgb): void {
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        const c = colour(x + 0.5, y + 0.5);
        const i = (y * this.size + x) * 3;
        this.data[i] = c[0];
        this.data[i + 1] = c[1];
        this.data[i + 2] = c[2];
      }
    }
  }

  /** Blends `colour` over the pixels by the fraction of 2×2 subsamples where inside(x, y). */
  paint(inside: (x: number, y: number) => boolean, colour: Rgb, alpha = 1): void {
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        let hits = 0;
        for (const dy of [0.25, 0.75])
          for (const dx of [0.25, 0.75]) if (inside(x + dx, y + dy)) hits++;
        if (hits === 0) continue;
        const a = (alpha * hits) / 4;
        const i = (y * this.size + x) * 3;
        for (let c = 0; c < 3; c++) this.data[i + c] = this.data[i + c]! * (1 - a) + colour[c]! * a;
      }
    }
  }

  /** Adds N(0, sigma²) to every channel value. */
  noise(rng: Rng, sigma: number): void {
    for (let i = 0; i < this.data.length; i++) this.data[i]! += sigma * rng.normal();
  }

  toImage(): RgbImage {
    const data = new Uint8Array(this.data.length);
    for (let i = 0; i < data.length; i++) {
      data[i] = Math.max(0, Math.min(255, Math.round(this.data[i]! * 255)));
    }
    return { width: this.size, height: this.size, data };
  }
}

export function randomColour(rng: Rng): Rgb {
  return [rng.uniform(), rng.uniform(), rng.uniform()];
}

/** A colour at least `minDistance` (Euclidean, RGB in [0,1]) from `other`: keeps figures visible. */
export function contrastingColour(rng: Rng, other: Rgb, minDistance = 0.5): Rgb {
  for (let attempt = 0; attempt < 32; attempt++) {
    const c = randomColour(rng);
    const d = Math.hypot(c[0] - other[0], c[1] - other[1], c[2] - other[2]);
    if (d >= minDistance) return c;
  }
  return [1 - other[0], 1 - other[1], 1 - other[2]];
}

export function mixColour(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Distance from (x, y) to the segment (x0, y0)–(x1, y1). */
export function segmentDistance(
  x: number,
  y: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1;
  const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2));
  return Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
}

/** Even–odd point-in-polygon test. */
export function insidePolygon(
  x: number,
  y: number,
  points: readonly (readonly [number, number])[],
) {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A regular polygon (or star when `inner` is set) around (cx, cy), first vertex at `angle`. */
export function polygonPoints(
  cx: number,
  cy: number,
  radius: number,
  sides: number,
  angle: number,
  inner?: number,
): [number, number][] {
  const points: [number, number][] = [];
  const n = inner === undefined ? sides : sides * 2;
  for (let k = 0; k < n; k++) {
    const r = inner !== undefined && k % 2 === 1 ? inner : radius;
    const a = angle + (2 * Math.PI * k) / n;
    points.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return points;
}

/** Smooth value noise in [0, 1] on a `cells`-cell lattice over the canvas (bilinear, smoothstep). */
export function valueNoise(
  rng: Rng,
  cells: number,
  size: number,
): (x: number, y: number) => number {
  const n = cells + 1;
  const lattice = Float32Array.from({ length: n * n }, () => rng.uniform());
  const smooth = (t: number) => t * t * (3 - 2 * t);
  return (x, y) => {
    const gx = (x / size) * cells;
    const gy = (y / size) * cells;
    const ix = Math.min(cells - 1, Math.floor(gx));
    const iy = Math.min(cells - 1, Math.floor(gy));
    const tx = smooth(gx - ix);
    const ty = smooth(gy - iy);
    const at = (i: number, j: number) => lattice[j * n + i]!;
    const top = at(ix, iy) * (1 - tx) + at(ix + 1, iy) * tx;
    const bottom = at(ix, iy + 1) * (1 - tx) + at(ix + 1, iy + 1) * tx;
    return top * (1 - ty) + bottom * ty;
  };
}

/** 5×7 bitmap digits (rows top to bottom, bit 4 = leftmost column). */
const DIGIT_ROWS: readonly (readonly number[])[] = [
  [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
];

/**
 * Inside test of digit `d` drawn in the box with top-left (x0, y0), height `h` (width 5/7 h),
 * slanted by `slant` (x shift per unit of height above the baseline).
 */
export function digitGlyph(d: number, x0: number, y0: number, h: number, slant: number) {
  const rows = DIGIT_ROWS[d]!;
  const cell = h / 7;
  return (x: number, y: number): boolean => {
    const row = Math.floor((y - y0) / cell);
    if (row < 0 || row > 6) return false;
    const xs = x - x0 + slant * (y - (y0 + h));
    const col = Math.floor(xs / cell);
    if (col < 0 || col > 4) return false;
    return ((rows[row]! >> (4 - col)) & 1) === 1;
  };
}
