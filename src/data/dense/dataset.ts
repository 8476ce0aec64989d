/**
 * Sets of dense scenes and the train / validation / test splits of the SIMO demo. Image i of a
 * stream is rendered from its own Rng (seed, `<stream>/<i>`), so a set is a pure function of
 * (seed, stream, size) and a smaller set is a prefix of a larger one.
 */
import { Rng } from '../prng';
import { renderScene } from './scene';

/** `count` scenes stacked: rgb count×size²×3, label count×size², depth, normal count×size²×3. */
export interface DenseSet {
  count: number;
  size: number;
  rgb: Uint8Array;
  label: Uint8Array;
  depth: Float32Array;
  normal: Float32Array;
}

export function renderDenseSet(
  seed: number,
  stream: string,
  count: number,
  size: number,
): DenseSet {
  const px = size * size;
  const set: DenseSet = {
    count,
    size,
    rgb: new Uint8Array(count * px * 3),
    label: new Uint8Array(count * px),
    depth: new Float32Array(count * px),
    normal: new Float32Array(count * px * 3),
  };
  for (let i = 0; i < count; i++) {
    const s = renderScene(new Rng(seed, `${stream}/${i}`), size);
    set.rgb.set(s.rgb, i * px * 3);
    set.label.set(s.label, i * px);
    set.depth.set(s.depth, i * px);
    set.normal.set(s.normal, i * px * 3);
  }
  return set;
}

/** Rows `rows` of a set, in that order (a batch). */
export function denseSubset(set: DenseSet, rows: readonly number[]): DenseSet {
  const px = set.size * set.size;
  const out: DenseSet = {
    count: rows.length,
    size: set.size,
    rgb: new Uint8Array(rows.length * px * 3),
    label: new Uint8Array(rows.length * px),
    depth: new Float32Array(rows.length * px),
    normal: new Float32Array(rows.length * px * 3),
  };
  rows.forEach((r, k) => {
    if (!Number.isInteger(r) || r < 0 || r >= set.count)
      throw new RangeError(`dense set: row ${r} is outside 0 … ${set.count - 1}`);
    out.rgb.set(set.rgb.subarray(r * px * 3, (r + 1) * px * 3), k * px * 3);
    out.label.set(set.label.subarray(r * px, (r + 1) * px), k * px);
    out.depth.set(set.depth.subarray(r * px, (r + 1) * px), k * px);
    out.normal.set(set.normal.subarray(r * px * 3, (r + 1) * px * 3), k * px * 3);
  });
  return out;
}

export interface DenseSplitOptions {
  seed: number;
  size: number;
  train: number;
  test: number;
  /**
   * The labelled validation set the SIMO fixes use, as a fraction of `train`. It is drawn from
   * its own stream, so it never overlaps the images the fine-tunes were trained on.
   */
  valFraction: number;
}

export interface DenseSplits {
  train: DenseSet;
  val: DenseSet;
  test: DenseSet;
}

/** The number of validation images for a fraction of `train` (0 allowed here; the fixes refuse it). */
export function validationCount(train: number, fraction: number): number {
  if (!(fraction >= 0 && fraction <= 1))
    throw new RangeError(`validation fraction must be in [0, 1], got ${fraction}`);
  return Math.round(train * fraction);
}

export function denseSplits(options: DenseSplitOptions): DenseSplits {
  const { seed, size } = options;
  return {
    train: renderDenseSet(seed, 'train', options.train, size),
    val: renderDenseSet(seed, 'val', validationCount(options.train, options.valFraction), size),
    test: renderDenseSet(seed, 'test', options.test, size),
  };
}
