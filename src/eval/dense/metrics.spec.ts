import { describe, expect, it } from 'vitest';
import {
  deltaMtl,
  depthMetrics,
  normalMetrics,
  segmentationMetrics,
  taskRelationshipMatrix,
} from './metrics';

describe('dense metrics', () => {
  it('mIoU and pixel accuracy from a hand-counted confusion', () => {
    // truth 0 0 1 1 2, predicted 0 1 1 1 0: class 0 IoU 1/3, class 1 IoU 2/3, class 2 IoU 0.
    const r = segmentationMetrics([0, 1, 1, 1, 0], [0, 0, 1, 1, 2], 4);
    expect(r.pixelAcc).toBeCloseTo(3 / 5, 12);
    expect(r.mIoU).toBeCloseTo((1 / 3 + 2 / 3 + 0) / 3, 12); // class 3 absent: not counted
  });

  it('abs-rel, RMSE and the mean angle', () => {
    const d = depthMetrics([2, 3], [1, 4]);
    expect(d.absRel).toBeCloseTo((1 / 1 + 1 / 4) / 2, 12);
    expect(d.rmse).toBeCloseTo(1, 12);
    // 0° for a scaled match, 90° for an orthogonal and for a zero prediction.
    const n = normalMetrics([0, 0, 2, 1, 0, 0, 0, 0, 0], [0, 0, 1, 0, 1, 0, 0, 0, 1]);
    expect(n.meanAngle).toBeCloseTo((0 + 90 + 90) / 3, 9);
  });

  it('ΔMTL: signs by direction, metrics averaged within a task, tasks averaged', () => {
    const single = { seg: { mIoU: 0.5, pixelAcc: 0.8 }, depth: { absRel: 0.1 } };
    const merged = { seg: { mIoU: 0.4, pixelAcc: 0.8 }, depth: { absRel: 0.15 } };
    // seg: ((0.4 − 0.5)/0.5 + 0)/2 = −10 %; depth: −(0.15 − 0.1)/0.1 = −50 %.
    const r = deltaMtl(merged, single);
    expect(r.perTask.seg).toBeCloseTo(-10, 9);
    expect(r.perTask.depth).toBeCloseTo(-50, 9);
    expect(r.overall).toBeCloseTo(-30, 9);
    expect(deltaMtl(single, single).overall).toBe(0);
    expect(() => deltaMtl({ seg: merged.seg }, single)).toThrow(/task "depth" has no metrics/);
  });

  it('the relationship matrix is symmetric with a zero diagonal, one call per pair', async () => {
    const calls: string[] = [];
    const m = await taskRelationshipMatrix(['a', 'b', 'c'], async (x, y) => {
      calls.push(x + y);
      return x === 'a' ? -1 : -2;
    });
    expect(calls).toEqual(['ab', 'ac', 'bc']);
    expect(m).toEqual([
      [0, -1, -1],
      [-1, 0, -2],
      [-1, -2, 0],
    ]);
  });
});
