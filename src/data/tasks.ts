/**
 * The zoo's eight classification tasks: real MNIST / Fashion-MNIST images under deterministic
 * transforms, plus two procedural tasks. Each task has its own label space (and its own head).
 * They are chosen so that their fine-tunes pull the shared encoder in different directions
 * (opposite polarities, rotated / shrunk / noisy inputs, textures), which makes naive merging
 * interfere — what a merging demo needs.
 */
import { PIXELS, SIDE, type GrayImages } from './images';
import type { Rng } from './prng';
import { addNoise, invert, rotate90, shrinkToQuadrant } from './transforms';
import { GRATING_ANGLES, SHAPE_CLASSES, renderGrating, renderShape } from './procedural';

export type DataSource = 'mnist' | 'fashion' | 'procedural';

export const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
/** Fashion-MNIST class → coarse group (tops, bottoms & dresses, footwear, bags). */
const FASHION_COARSE = [0, 1, 0, 1, 0, 2, 0, 2, 3, 2];

export interface TaskSpec {
  name: string;
  title: string;
  description: string;
  classNames: string[];
  source: DataSource;
  /** Source image + label (ignored for procedural tasks) → the task's image and label. */
  make(src: Uint8Array, srcLabel: number, rng: Rng): { image: Uint8Array; label: number };
}

export const TASKS: readonly TaskSpec[] = [
  {
    name: 'mnist',
    title: 'MNIST digits',
    description: 'Handwritten digits as they are.',
    classNames: DIGITS,
    source: 'mnist',
    make: (src, label) => ({ image: src, label }),
  },
  {
    name: 'fashion',
    title: 'Fashion-MNIST',
    description: 'Ten kinds of clothing (Zalando article photos).',
    classNames: FASHION_CLASSES,
    source: 'fashion',
    make: (src, label) => ({ image: src, label }),
  },
  {
    name: 'mnist_rot_inv',
    title: 'MNIST rotated 90°, inverted',
    description: 'Digits turned a quarter counter-clockwise, dark ink on a white background.',
    classNames: DIGITS,
    source: 'mnist',
    make: (src, label) => ({ image: invert(rotate90(src, SIDE, 1)), label }),
  },
  {
    name: 'fashion_coarse_inv',
    title: 'Fashion groups, inverted',
    description:
      'Fashion-MNIST in negative, labelled by group: tops, bottoms & dresses, footwear, bags.',
    classNames: ['top', 'bottom/dress', 'footwear', 'bag'],
    source: 'fashion',
    make: (src, label) => ({ image: invert(src), label: FASHION_COARSE[label] ?? 0 }),
  },
  {
    name: 'mnist_parity_noisy',
    title: 'Noisy MNIST parity',
    description: 'Digits under strong Gaussian noise (σ = 70/255), labelled even or odd.',
    classNames: ['even', 'odd'],
    source: 'mnist',
    make: (src, label, rng) => ({ image: addNoise(src, 70, rng), label: label % 2 }),
  },
  {
    name: 'mnist_small_high',
    title: 'Small shifted MNIST, 0–4 vs 5–9',
    description: 'Digits shrunk to 14×14 in a random quadrant, labelled low (0–4) or high (5–9).',
    classNames: ['0–4', '5–9'],
    source: 'mnist',
    make: (src, label, rng) => ({
      image: shrinkToQuadrant(src, SIDE, rng.int(4)),
      label: label >= 5 ? 1 : 0,
    }),
  },
  {
    name: 'shapes',
    title: 'Procedural shapes',
    description: 'Generated shapes at random size, position and tilt, with noise.',
    classNames: [...SHAPE_CLASSES],
    source: 'procedural',
    make: (_src, _label, rng) => {
      const label = rng.int(SHAPE_CLASSES.length);
      return { image: renderShape(label, rng), label };
    },
  },
  {
    name: 'gratings',
    title: 'Stripe orientation',
    description: 'Generated noisy sinusoidal stripes; the label is their orientation.',
    classNames: GRATING_ANGLES.map((a) => `${a}°`),
    source: 'procedural',
    make: (_src, _label, rng) => {
      const label = rng.int(GRATING_ANGLES.length);
      return { image: renderGrating(label, rng), label };
    },
  },
];

export function taskByName(name: string): TaskSpec {
  const task = TASKS.find((t) => t.name === name);
  if (!task)
    throw new Error(`unknown task "${name}"; known tasks: ${TASKS.map((t) => t.name).join(', ')}`);
  return task;
}

/** The real images a task draws from (procedural tasks need none). */
export type SourceSet = Partial<Record<Exclude<DataSource, 'procedural'>, GrayImages>>;

const EMPTY = new Uint8Array(PIXELS);

/**
 * `count` examples of `task`, drawing source images at the given indices (or, if `indices` is
 * omitted, uniformly at random with `rng`).
 */
export function makeExamples(
  task: TaskSpec,
  sources: SourceSet,
  count: number,
  rng: Rng,
  indices?: ArrayLike<number>,
): GrayImages {
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  const source = task.source === 'procedural' ? undefined : sources[task.source];
  if (task.source !== 'procedural' && !source)
    throw new Error(`task ${task.name}: ${task.source} images not loaded`);
  for (let i = 0; i < count; i++) {
    let src: Uint8Array = EMPTY;
    let srcLabel = 0;
    if (source) {
      const j = indices ? (indices[i] ?? 0) : rng.int(source.count);
      src = source.pixels.subarray(j * PIXELS, (j + 1) * PIXELS);
      srcLabel = source.labels[j] ?? 0;
    }
    const { image, label } = task.make(src, srcLabel, rng);
    pixels.set(image, i * PIXELS);
    labels[i] = label;
  }
  return { count, side: SIDE, pixels, labels };
}
