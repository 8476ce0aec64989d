/**
 * A cheap check that a domain's classes are distinguishable from pixels alone: nearest class
 * mean on features that ignore the random colours — the standardised grey image and the
 * magnitude of its 2-D DFT (translation-invariant). Used by the specs; a fine-tune sees far more.
 */
import type { RgbImage } from '../../../src/data/images/index';

function standardisedGrey(image: RgbImage): Float64Array {
  const n = image.width * image.height;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    g[i] = (image.data[i * 3]! + image.data[i * 3 + 1]! + image.data[i * 3 + 2]!) / 3;
  }
  let mean = 0;
  for (const v of g) mean += v / n;
  let sd = 0;
  for (const v of g) sd += ((v - mean) * (v - mean)) / n;
  const inv = 1 / Math.sqrt(sd || 1);
  return g.map((v) => (v - mean) * inv);
}

/** |DFT| of a square grey image (naive, separable: rows then columns). */
function spectrum(g: Float64Array, side: number): Float64Array {
  const re = new Float64Array(side * side);
  const im = new Float64Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let k = 0; k < side; k++) {
      let r = 0;
      let i = 0;
      for (let x = 0; x < side; x++) {
        const a = (-2 * Math.PI * k * x) / side;
        r += g[y * side + x]! * Math.cos(a);
        i += g[y * side + x]! * Math.sin(a);
      }
      re[y * side + k] = r;
      im[y * side + k] = i;
    }
  }
  const out = new Float64Array(side * side);
  for (let k = 0; k < side; k++) {
    for (let l = 0; l < side; l++) {
      let r = 0;
      let i = 0;
      for (let y = 0; y < side; y++) {
        const a = (-2 * Math.PI * l * y) / side;
        const c = Math.cos(a);
        const s = Math.sin(a);
        r += re[y * side + k]! * c - im[y * side + k]! * s;
        i += re[y * side + k]! * s + im[y * side + k]! * c;
      }
      out[l * side + k] = Math.log1p(Math.hypot(r, i));
    }
  }
  return out;
}

export function colourFreeFeatures(image: RgbImage): Float64Array {
  // |standardised grey|: the figure stands out from the background whichever is darker.
  const g = standardisedGrey(image).map(Math.abs);
  const s = spectrum(g, image.width);
  const f = new Float64Array(g.length + s.length);
  f.set(g);
  f.set(s, g.length);
  return f;
}

/** Accuracy of the nearest class mean (fitted on `train`) on `test`. */
export function nearestMeanAccuracy(
  train: readonly { label: number; features: Float64Array }[],
  test: readonly { label: number; features: Float64Array }[],
  classes: number,
): number {
  const dim = train[0]!.features.length;
  const means = Array.from({ length: classes }, () => new Float64Array(dim));
  const counts = new Array<number>(classes).fill(0);
  for (const { label, features } of train) {
    counts[label]!++;
    for (let j = 0; j < dim; j++) means[label]![j]! += features[j]!;
  }
  means.forEach((m, c) => m.forEach((v, j) => (m[j] = v / Math.max(1, counts[c]!))));
  let right = 0;
  for (const { label, features } of test) {
    let best = 0;
    let bestD = Infinity;
    means.forEach((m, c) => {
      let d = 0;
      for (let j = 0; j < dim; j++) d += (features[j]! - m[j]!) ** 2;
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    });
    if (best === label) right++;
  }
  return right / test.length;
}
