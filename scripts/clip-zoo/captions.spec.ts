import { describe, expect, it } from 'vitest';
import { buildClipTokenizerJson, loadClipTokenizer } from '../../src/data/text/index';
import { captionFor, pretrainSlot, pretrainSources, tokenizerCorpus } from './captions';
import { zooTasks, type RealSources } from './domains/tasks';

// Captions never read images: the real datasets are not loaded.
const unused: RealSources = {
  mnist: () => {
    throw new Error('not loaded');
  },
  fashion: () => {
    throw new Error('not loaded');
  },
};
const tasks = zooTasks(unused);

describe('pretraining captions', () => {
  it('leave MNIST out of the mixture and take the other seven domains in turn', () => {
    const sources = pretrainSources(tasks);
    expect(sources.map((t) => t.name)).not.toContain('mnist');
    expect(sources).toHaveLength(7);
    expect(pretrainSlot(9, sources)).toEqual({ task: sources[2], index: 1 });
  });

  it('name the class (or only the domain) and the concept they name, the same for a seed', () => {
    const signs = tasks.find((t) => t.name === 'traffic-signs')!;
    let domainOnly = 0;
    for (let i = 0; i < 400; i++) {
      const c = captionFor(signs, 2, i, 0);
      expect(captionFor(signs, 2, i, 0)).toEqual(c);
      if (c.concept === 'traffic-signs:*') {
        domainOnly++;
        expect(c.text).toContain('traffic sign');
      } else {
        expect(c.concept).toBe('traffic-signs:2');
        expect(c.text).toContain('no entry');
      }
    }
    expect(domainOnly / 400).toBeGreaterThan(0.08);
    expect(domainOnly / 400).toBeLessThan(0.22);
  });

  it("use MNIST's template in house-number captions only when asked", () => {
    const houses = tasks.find((t) => t.name === 'house-numbers')!;
    const signs = tasks.find((t) => t.name === 'traffic-signs')!;
    const texts = (task: typeof houses, on: boolean) =>
      Array.from({ length: 300 }, (_, i) => captionFor(task, 7, i, 0, on).text);
    const template = 'a photo of the number: "seven".';
    expect(texts(houses, false)).not.toContain(template);
    const on = texts(houses, true);
    expect(on).toContain(template);
    // same stream: only the template draw changes, the domain-only captions stay where they were.
    const off = texts(houses, false);
    on.forEach((t, i) => expect(t.includes('seven')).toBe(off[i]!.includes('seven')));
    expect(texts(signs, true)).toEqual(texts(signs, false));
  });

  it('give a tokenizer that encodes every zero-shot prompt within the context', () => {
    const sources = pretrainSources(tasks);
    const captions = Array.from({ length: 700 }, (_, i) => {
      const { task } = pretrainSlot(i, sources);
      return captionFor(task, i % task.classNames.length, i, 0).text;
    });
    const tokenizer = loadClipTokenizer(
      buildClipTokenizerJson(tokenizerCorpus(tasks, captions), 700),
    );
    for (const t of tasks) {
      for (const c of t.classNames)
        expect(tokenizer.encodeOne(`a photo of a ${c}.`).length).toBeLessThanOrEqual(20);
    }
  });
});
