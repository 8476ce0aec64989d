import { describe, expect, it } from 'vitest';
import { Rng } from '../prng';
import { denseSplits, denseSubset, renderDenseSet, validationCount } from './dataset';
import { NUM_DENSE_CLASSES, objectHit, renderScene } from './scene';

const SIZE = 32;

describe('dense scenes', () => {
  it('are a pure function of the seed and stream; a smaller set is a prefix', () => {
    const a = renderDenseSet(7, 'train', 4, SIZE);
    const b = renderDenseSet(7, 'train', 4, SIZE);
    const c = renderDenseSet(8, 'train', 4, SIZE);
    const prefix = renderDenseSet(7, 'train', 2, SIZE);
    expect(a.rgb).toEqual(b.rgb);
    expect(a.depth).toEqual(b.depth);
    expect(a.rgb).not.toEqual(c.rgb);
    expect(prefix.label).toEqual(a.label.subarray(0, 2 * SIZE * SIZE));
    expect(denseSubset(a, [1]).normal).toEqual(a.normal.subarray(3 * SIZE * SIZE, 6 * SIZE * SIZE));
  });

  it('the ground truth is the front-most surface: label, depth and a unit normal agree', () => {
    let overlaps = 0;
    for (let s = 0; s < 8; s++) {
      const scene = renderScene(new Rng(s, 'gt'), SIZE);
      for (let py = 0; py < SIZE; py++) {
        for (let px = 0; px < SIZE; px++) {
          const x = ((px + 0.5) / SIZE) * 2 - 1;
          const y = ((py + 0.5) / SIZE) * 2 - 1;
          const i = py * SIZE + px;
          const hits = scene.objects
            .map((o) => ({ o, h: objectHit(o, x, y) }))
            .filter((e) => e.h !== null);
          if (hits.length > 1) overlaps++;
          const label = scene.label[i] ?? -1;
          expect(label).toBeGreaterThanOrEqual(0);
          expect(label).toBeLessThan(NUM_DENSE_CLASSES);
          // Every object covering the pixel is at least as far as the recorded depth.
          for (const { h } of hits) expect(h!.d).toBeGreaterThanOrEqual(scene.depth[i]! - 1e-5);
          if (label > 0) {
            const front = hits.reduce((a, b) => (b.h!.d < a.h!.d ? b : a));
            expect(front.o.cls).toBe(label);
            expect(scene.depth[i]).toBeCloseTo(front.h!.d, 5);
          }
          const n = scene.normal.subarray(3 * i, 3 * i + 3);
          expect(Math.hypot(n[0]!, n[1]!, n[2]!)).toBeCloseTo(1, 5);
          expect(n[2]).toBeGreaterThan(0);
        }
      }
    }
    // The scenes do have occlusions to resolve.
    expect(overlaps).toBeGreaterThan(20);
  });

  it('a sphere faces the viewer at its centre and tilts outwards at its rim', () => {
    const o = {
      cls: 1,
      cx: 0,
      cy: 0,
      r: 0.4,
      z0: 3,
      a: 0,
      b: 0,
      angle: 0.3,
      colour: [0, 0, 0] as [number, number, number],
      texture: { kind: 'plain' as const, period: 1, strength: 0, angle: 0 },
    };
    expect(objectHit(o, 0, 0)!.d).toBeCloseTo(2.6, 6);
    const right = objectHit(o, 0.3, 0)!;
    expect(right.dx).toBeGreaterThan(0); // the normal's x points right
    expect(right.dy).toBeCloseTo(0, 6);
    expect(objectHit(o, 0.5, 0)).toBeNull();
  });

  it('splits: disjoint streams, validation a configurable fraction of train (0 allowed here)', () => {
    const s = denseSplits({ seed: 1, size: 16, train: 20, test: 5, valFraction: 0.1 });
    expect([s.train.count, s.val.count, s.test.count]).toEqual([20, 2, 5]);
    expect(s.val.rgb.subarray(0, 768)).not.toEqual(s.train.rgb.subarray(0, 768));
    expect(validationCount(20, 0)).toBe(0);
    expect(() => validationCount(20, 1.5)).toThrow(/validation fraction must be in \[0, 1\]/);
  });
});
