import { describe, expect, it } from 'vitest';
import { PIXELS } from './images';
import { Rng } from './prng';
import { TASKS, makeExamples, taskByName, type SourceSet } from './tasks';
import { PRETRAIN_CLASSES, makePretrainBatch } from './pretrain';

/** Synthetic stand-ins for MNIST / Fashion-MNIST: image i has all pixels = i, label i % 10. */
function fakeSource(count: number): SourceSet[keyof SourceSet] {
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    pixels.fill(i * 3, i * PIXELS, (i + 1) * PIXELS);
    labels[i] = i % 10;
  }
  return { count, side: 28, pixels, labels };
}
const sources: SourceSet = { mnist: fakeSource(40), fashion: fakeSource(40) };

describe('tasks', () => {
  it('has eight tasks with distinct names and at least two classes each', () => {
    expect(TASKS).toHaveLength(8);
    expect(new Set(TASKS.map((t) => t.name)).size).toBe(8);
    for (const t of TASKS) expect(t.classNames.length).toBeGreaterThanOrEqual(2);
  });

  it.each(TASKS.map((t) => [t.name]))('%s: deterministic, labels in range, right size', (name) => {
    const task = taskByName(name);
    const a = makeExamples(task, sources, 64, new Rng(3, name));
    const b = makeExamples(task, sources, 64, new Rng(3, name));
    expect(a.pixels).toEqual(b.pixels);
    expect(a.labels).toEqual(b.labels);
    expect(a.pixels.length).toBe(64 * PIXELS);
    for (const label of a.labels) expect(label).toBeLessThan(task.classNames.length);
    // Every class shows up in a batch of 64 for these small label spaces.
    expect(new Set(a.labels).size).toBe(task.classNames.length);
  });

  it('derives labels from the source as documented', () => {
    const indices = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const parity = makeExamples(taskByName('mnist_parity_noisy'), sources, 10, new Rng(1), indices);
    expect([...parity.labels]).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    const high = makeExamples(taskByName('mnist_small_high'), sources, 10, new Rng(1), indices);
    expect([...high.labels]).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const coarse = makeExamples(taskByName('fashion_coarse_inv'), sources, 10, new Rng(1), indices);
    // T-shirt, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot
    expect([...coarse.labels]).toEqual([0, 1, 0, 1, 0, 2, 0, 2, 3, 2]);
    // Inverted: image 1 has pixels 3 → 252.
    expect(coarse.pixels[PIXELS]).toBe(252);
  });

  it('rejects an unknown task name with the known ones listed', () => {
    expect(() => taskByName('nope')).toThrow(/known tasks: mnist, fashion/);
  });

  it('pretraining batches label the rotation', () => {
    const batch = makePretrainBatch(sources, 200, new Rng(5));
    for (const label of batch.labels) expect(label).toBeLessThan(PRETRAIN_CLASSES.length);
    expect(new Set(batch.labels).size).toBe(4);
  });
});
