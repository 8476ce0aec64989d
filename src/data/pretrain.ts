/**
 * The base model's pretraining objective — deliberately *not* one of the tasks: predict by how
 * many quarter turns (0°, 90°, 180°, 270°) an image was rotated, on a mixture of MNIST and
 * Fashion-MNIST training images, a third of them inverted. Self-supervised, so the base learns
 * generic stroke/shape features but none of the tasks' label spaces.
 */
import { PIXELS, SIDE, type GrayImages } from './images';
import type { Rng } from './prng';
import type { SourceSet } from './tasks';
import { invert, rotate90 } from './transforms';

export const PRETRAIN_HEAD = 'pretrain_rotation';
export const PRETRAIN_CLASSES = ['0°', '90°', '180°', '270°'];

export function makePretrainBatch(sources: SourceSet, count: number, rng: Rng): GrayImages {
  const pools = [sources.mnist, sources.fashion].filter((p): p is GrayImages => p !== undefined);
  if (pools.length === 0) throw new Error('pretraining needs MNIST or Fashion-MNIST images');
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const pool = pools[rng.int(pools.length)] as GrayImages;
    const j = rng.int(pool.count);
    let image = pool.pixels.subarray(j * PIXELS, (j + 1) * PIXELS);
    if (rng.uniform() < 1 / 3) image = invert(image);
    const turns = rng.int(4);
    pixels.set(rotate90(image, SIDE, turns), i * PIXELS);
    labels[i] = turns;
  }
  return { count, side: SIDE, pixels, labels };
}
