/**
 * PIL's Image.resize for 8-bit RGB with BILINEAR (2) or BICUBIC (3), re-stated from Pillow's
 * src/libImaging/Resample.c so the tab resizes exactly as transformers' CLIPImageProcessor
 * (which hands uint8 images to PIL) does:
 * - separable convolution, horizontal pass first, then vertical, each rounding and clipping
 *   to uint8 (the vertical pass reads the 8-bit horizontal result);
 * - the kernel's support is scaled by the downscale factor (antialiasing), taps are
 *   normalised to sum 1, then quantised to 22-bit fixed point (PRECISION_BITS = 32 - 8 - 2)
 *   with round-half-away-from-zero; accumulation starts at 0.5 in fixed point;
 * - a dimension whose size does not change is not resampled at all.
 * Every double operation is in the C source's order, so the taps are bit-identical.
 */
import type { RgbImage } from './decode';

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;

interface Filter {
  readonly support: number;
  at(x: number): number;
}

const BILINEAR: Filter = {
  support: 1,
  at(x) {
    const ax = x < 0 ? -x : x;
    return ax < 1 ? 1 - ax : 0;
  },
};

/** Keys' cubic convolution with a = -0.5, as Pillow writes it. */
const BICUBIC: Filter = {
  support: 2,
  at(x) {
    const a = -0.5;
    const ax = x < 0 ? -x : x;
    if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
    if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
    return 0;
  },
};

/** PIL's resample codes this module implements. */
export const PIL_FILTERS: Readonly<Record<number, Filter>> = { 2: BILINEAR, 3: BICUBIC };

interface Taps {
  /** First input index of output i. */
  readonly start: Int32Array;
  /** Number of taps of output i. */
  readonly count: Int32Array;
  /** Fixed-point weights, `ksize` slots per output. */
  readonly weights: Int32Array;
  readonly ksize: number;
}

/** precompute_coeffs + normalize_coeffs_8bpc for the whole-image box [0, inSize). */
function computeTaps(inSize: number, outSize: number, filter: Filter): Taps {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.at((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, ksize };
}

/**
 * clip8: the fixed-point sum's integer part, clamped to [0, 255]. The sum is an integer of
 * at most 2^21 + 255 · 1.3 · 2^22 < 2^31 (bicubic's positive lobes), so `>>` is C's shift.
 */
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** One pass along x (rows rowFirst.. of src) or along y. */
function resampleHorizontal(src: RgbImage, rowFirst: number, rows: number, taps: Taps): RgbImage {
  const outW = taps.start.length;
  const out = new Uint8Array(outW * rows * 3);
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + rowFirst) * src.width * 3;
    for (let xx = 0; xx < outW; xx++) {
      const xmin = taps.start[xx]!;
      const n = taps.count[xx]!;
      const kBase = xx * taps.ksize;
      let r = ONE / 2;
      let g = ONE / 2;
      let b = ONE / 2;
      for (let x = 0; x < n; x++) {
        const w = taps.weights[kBase + x]!;
        const p = rowBase + (xmin + x) * 3;
        r += src.data[p]! * w;
        g += src.data[p + 1]! * w;
        b += src.data[p + 2]! * w;
      }
      const o = (y * outW + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width: outW, height: rows, data: out };
}

function resampleVertical(src: RgbImage, rowShift: number, taps: Taps): RgbImage {
  const outH = taps.start.length;
  const w = src.width;
  const out = new Uint8Array(w * outH * 3);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = taps.start[yy]! - rowShift;
    const n = taps.count[yy]!;
    const kBase = yy * taps.ksize;
    for (let xx = 0; xx < w; xx++) {
      let r = ONE / 2;
      let g = ONE / 2;
      let b = ONE / 2;
      for (let y = 0; y < n; y++) {
        const wt = taps.weights[kBase + y]!;
        const p = ((ymin + y) * w + xx) * 3;
        r += src.data[p]! * wt;
        g += src.data[p + 1]! * wt;
        b += src.data[p + 2]! * wt;
      }
      const o = (yy * w + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width: w, height: outH, data: out };
}

/** `image.resize((width, height), resample)` of PIL for an RGB image. */
export function pilResize(
  image: RgbImage,
  width: number,
  height: number,
  resample: number,
): RgbImage {
  const filter = PIL_FILTERS[resample];
  if (!filter) throw new Error(`resample ${resample} is not implemented (2 bilinear, 3 bicubic)`);
  if (width < 1 || height < 1) throw new Error(`cannot resize to ${width}×${height}`);
  const needH = width !== image.width;
  const needV = height !== image.height;
  if (!needH && !needV) return image;
  const vTaps = computeTaps(image.height, height, filter);
  // The horizontal pass only computes the rows the vertical pass will read.
  const first = vTaps.start[0]!;
  const last = vTaps.start[height - 1]! + vTaps.count[height - 1]!;
  let current = image;
  let shift = 0;
  if (needH) {
    current = resampleHorizontal(
      image,
      first,
      last - first,
      computeTaps(image.width, width, filter),
    );
    shift = first;
  }
  return needV ? resampleVertical(current, shift, vTaps) : current;
}
