import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GrayImages } from '../data';
import { initEncoder, initHead, toTensors } from '../models';
import type { LoadedZoo, ZooManifest } from '../zoo';
import { SYNTHETIC_CONFIG } from '../zoo/testing/synthetic-zoo';
import { accuracy } from './accuracy';
import { ZooScorer } from './zoo-scorer';
import { accuracies, addCounts } from './scorer';

const config = SYNTHETIC_CONFIG;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x >>> 24;
  };
}

/** Two tasks with their own heads; 12 and 7 images; labels random in 0..3. */
function tinyZoo(): LoadedZoo {
  const base = initEncoder(config, 1);
  const counts = { alpha: 12, beta: 7 };
  const zoo: LoadedZoo = {
    manifest: {
      model: { architecture: 'vit', config },
      headPrefix: 'heads.',
      tasks: Object.keys(counts).map((name) => ({
        name,
        title: name,
        headTensors: [`heads.${name}.weight`, `heads.${name}.bias`],
      })),
    } as unknown as ZooManifest,
    base,
    checkpoints: new Map(),
    testSets: new Map(),
  };
  for (const [k, [task, count]] of Object.entries(counts).entries()) {
    // Large head weights keep predictions away from near-ties between classes.
    const head = new Map(
      [...initHead(config, task, 4, 5 + k)].map(([n, a]) => [
        n,
        { shape: a.shape, data: a.data.map((v) => v * 100) },
      ]),
    );
    zoo.checkpoints.set(task, new Map([...base, ...head]));
    const next = lcg(40 + k);
    const images: GrayImages = {
      count,
      side: config.imageSize,
      pixels: Uint8Array.from({ length: count * 64 }, next),
      labels: Uint8Array.from({ length: count }, () => next() % 4),
    };
    zoo.testSets.set(task, images);
  }
  return zoo;
}

describe('ZooScorer', () => {
  it('counts what per-task accuracy() counts, over split ranges and clipped sets', async () => {
    const zoo = tinyZoo();
    const encoder = toTensors(initEncoder(config, 3)); // another encoder than the base
    const scorer = new ZooScorer(zoo);
    const first = await scorer.countRange(encoder, 0, 5);
    const rest = await scorer.countRange(encoder, 5, 12);
    const both = addCounts(first, rest);
    expect(both.total).toEqual({ alpha: 12, beta: 7 });
    expect(first.total).toEqual({ alpha: 5, beta: 5 });
    for (const task of ['alpha', 'beta']) {
      const heads = toTensors(
        new Map([...zoo.checkpoints.get(task)!].filter(([n]) => n.startsWith('heads.'))),
      );
      const params = new Map([...encoder, ...heads]);
      const whole = await accuracy(params, task, zoo.testSets.get(task)!, { config });
      const firstFive = await accuracy(params, task, zoo.testSets.get(task)!, { config, limit: 5 });
      expect(both.correct[task]).toBe(whole.correct);
      expect(first.correct[task]).toBe(firstFive.correct);
      expect(accuracies(both)[task]).toBeCloseTo(whole.accuracy, 12);
      heads.forEach((t) => t.dispose());
    }
    // Random labels over 4 classes: not everything right, so the comparison had teeth.
    expect(both.correct.alpha! + both.correct.beta!).toBeLessThan(19);
    scorer.dispose();
    encoder.forEach((t) => t.dispose());
  });

  it('scores only the tasks it was made for', async () => {
    const zoo = tinyZoo();
    const encoder = toTensors(initEncoder(config, 3));
    const scorer = new ZooScorer(zoo, ['beta']);
    const counts = await scorer.countRange(encoder, 0, 100);
    expect(Object.keys(counts.total)).toEqual(['beta']);
    expect(counts.total.beta).toBe(7);
    scorer.dispose();
    encoder.forEach((t) => t.dispose());
  });
});
