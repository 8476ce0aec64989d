/**
 * The SIMO pictures' colour maps: dense maps (one image, `size`² pixels, row-major) to RGBA
 * bytes a canvas's ImageData takes. Framework-free and import-free, so the studio page draws
 * with these and a Node test computes the very same pixels from a model's outputs.
 */

/** Segmentation classes: background dark grey, then well-separated hues (class k ≥ 1). */
export const SEGMENTATION_PALETTE: readonly (readonly [number, number, number])[] = [
  [40, 40, 48],
  [230, 80, 60],
  [70, 170, 90],
  [60, 120, 220],
  [240, 200, 60],
  [180, 90, 200],
  [60, 200, 210],
  [250, 140, 190],
  [150, 110, 60],
  [200, 200, 200],
];

/** Depth ramp stops (a magma-like scale): near = bright, far = dark. */
const DEPTH_STOPS: readonly (readonly [number, number, number])[] = [
  [252, 253, 191],
  [252, 137, 97],
  [183, 55, 121],
  [81, 18, 124],
  [0, 0, 4],
];

function rgbaOf(pixels: number, colour: (i: number, out: Uint8ClampedArray) => void) {
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    colour(i, out);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** The scene's RGB bytes (pixels × 3). */
export function rgbToRgba(rgb: ArrayLike<number>): Uint8ClampedArray {
  return rgbaOf(rgb.length / 3, (i, out) => {
    for (let c = 0; c < 3; c++) out[i * 4 + c] = rgb[i * 3 + c]!;
  });
}

/** Class indices (label or argmax); classes past the palette wrap around it. */
export function segmentationToRgba(labels: ArrayLike<number>): Uint8ClampedArray {
  const n = SEGMENTATION_PALETTE.length;
  return rgbaOf(labels.length, (i, out) => {
    const k = ((Math.round(labels[i]!) % n) + n) % n;
    const [r, g, b] = SEGMENTATION_PALETTE[k]!;
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
  });
}

/** The range one image's depth pictures share: its ground truth's (so colours compare). */
export function depthRange(depth: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < depth.length; i++) {
    min = Math.min(min, depth[i]!);
    max = Math.max(max, depth[i]!);
  }
  return max > min ? { min, max } : { min, max: min + 1 };
}

/** Depths on the ramp over `range`, clamped at its ends (NaN as the far end). */
export function depthToRgba(
  depth: ArrayLike<number>,
  range: { min: number; max: number },
): Uint8ClampedArray {
  const segments = DEPTH_STOPS.length - 1;
  return rgbaOf(depth.length, (i, out) => {
    const t = (depth[i]! - range.min) / (range.max - range.min);
    const x = (Number.isNaN(t) ? 1 : Math.min(1, Math.max(0, t))) * segments;
    const k = Math.min(segments - 1, Math.floor(x));
    const f = x - k;
    const a = DEPTH_STOPS[k]!;
    const b = DEPTH_STOPS[k + 1]!;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(a[c]! + (b[c]! - a[c]!) * f);
  });
}

/** Normals (pixels × 3) as RGB: each unit vector's (n + 1) / 2; a zero vector is grey. */
export function normalsToRgba(normals: ArrayLike<number>): Uint8ClampedArray {
  return rgbaOf(normals.length / 3, (i, out) => {
    const x = normals[i * 3]!;
    const y = normals[i * 3 + 1]!;
    const z = normals[i * 3 + 2]!;
    const norm = Math.hypot(x, y, z) || 1;
    out[i * 4] = Math.round(((x / norm + 1) / 2) * 255);
    out[i * 4 + 1] = Math.round(((y / norm + 1) / 2) * 255);
    out[i * 4 + 2] = Math.round(((z / norm + 1) / 2) * 255);
  });
}

/** One task's map of one image in its colours (`truthDepth` sets the depth scale). */
export function taskToRgba(
  kind: 'segmentation' | 'depth' | 'normals',
  values: ArrayLike<number>,
  truthDepth: ArrayLike<number>,
): Uint8ClampedArray {
  if (kind === 'segmentation') return segmentationToRgba(values);
  if (kind === 'depth') return depthToRgba(values, depthRange(truthDepth));
  return normalsToRgba(values);
}
