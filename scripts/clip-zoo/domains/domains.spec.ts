import { describe, expect, it } from 'vitest';
import { loadFashion, loadMnist } from '../../../src/data/sources-node';
import { colourFreeFeatures, nearestMeanAccuracy } from './separability';
import { zooTasks, type Split } from './tasks';

const tasks = zooTasks({ mnist: loadMnist, fashion: loadFashion });
const SIZE = 32;

describe('zoo v2 domains', () => {
  it('are eight tasks of 5–10 distinct class names each', () => {
    expect(tasks.map((t) => t.name)).toHaveLength(8);
    expect(new Set(tasks.map((t) => t.name)).size).toBe(8);
    for (const t of tasks) {
      expect(t.classNames.length).toBeGreaterThanOrEqual(5);
      expect(t.classNames.length).toBeLessThanOrEqual(10);
      expect(new Set(t.classNames).size).toBe(t.classNames.length);
    }
  });

  it('draw the same bytes from the same seed, and other bytes from another seed or split', () => {
    for (const t of tasks) {
      for (const split of ['train', 'test', 'pretrain'] as Split[]) {
        const a = t.sample(split, 7, 3, SIZE);
        const b = t.sample(split, 7, 3, SIZE);
        expect(a.label).toBe(b.label);
        expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
        expect(a.image.data.length).toBe(SIZE * SIZE * 3);
        const other = t.sample(split, 7, 4, SIZE);
        expect(Buffer.from(other.image.data).equals(Buffer.from(a.image.data))).toBe(false);
      }
      const test = t.sample('test', 7, 3, SIZE).image.data;
      const train = t.sample('train', 7, 3, SIZE).image.data;
      expect(Buffer.from(test).equals(Buffer.from(train))).toBe(false);
    }
  });

  it('draw a pretraining image in the hard form on request: same label, other bytes, seeded', () => {
    for (const t of tasks) {
      const clean = t.sample('pretrain', 11, 3, SIZE);
      const hard = t.sample('pretrain', 11, 3, SIZE, true);
      expect(hard.label).toBe(clean.label);
      expect(Buffer.from(hard.image.data).equals(Buffer.from(clean.image.data))).toBe(false);
      const again = t.sample('pretrain', 11, 3, SIZE, true);
      expect(Buffer.from(again.image.data).equals(Buffer.from(hard.image.data))).toBe(true);
      // The flag changes only pretraining: a test image is the same with or without it.
      const test = t.sample('test', 11, 3, SIZE);
      const flagged = t.sample('test', 11, 3, SIZE, true);
      expect(Buffer.from(flagged.image.data).equals(Buffer.from(test.image.data))).toBe(true);
    }
  });

  it('label every image with one of its classes, every class present in 500 test images', () => {
    for (const t of tasks) {
      const seen = new Set<number>();
      for (let i = 0; i < 500; i += 1) seen.add(t.sample('test', i, 0, SIZE).label);
      expect([...seen].sort((a, b) => a - b)).toEqual([...t.classNames.keys()]);
    }
  });

  // Random colours, positions and clutter make raw pixels a weak classifier; a nearest class
  // mean on colour-free features must still beat chance clearly on every domain.
  it('have classes a nearest-mean classifier on colour-free pixel features tells apart', () => {
    for (const t of tasks) {
      const k = t.classNames.length;
      const set = (split: Split, n: number) =>
        Array.from({ length: n }, (_, i) => {
          const s = t.sample(split, i, 0, SIZE);
          return { label: s.label, features: colourFreeFeatures(s.image) };
        });
      const acc = nearestMeanAccuracy(set('train', 30 * k), set('test', 10 * k), k);
      expect(acc, t.name).toBeGreaterThan(1.25 / k);
    }
  });
});
