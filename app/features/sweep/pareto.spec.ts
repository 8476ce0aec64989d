import { describe, expect, it } from 'vitest';
import { gridValues, paretoFront, type SweepPoint } from './pareto';

const p = (accuracyA: number, accuracyB: number): SweepPoint => ({
  lambdaA: 0,
  lambdaB: 0,
  accuracyA,
  accuracyB,
});

describe('paretoFront', () => {
  it('keeps the points no other point beats on both tasks', () => {
    // (0.9,0.2) and (0.5,0.8) and (0.7,0.7) trade off; (0.6,0.6) is beaten by (0.7,0.7);
    // (0.5,0.5) by everything except (0.9,0.2); (0.9,0.1) by (0.9,0.2) (equal A, better B).
    const points = [p(0.9, 0.2), p(0.5, 0.8), p(0.7, 0.7), p(0.6, 0.6), p(0.5, 0.5), p(0.9, 0.1)];
    expect([...paretoFront(points)].sort()).toEqual([0, 1, 2]);
  });

  it('keeps both copies of an exact tie', () => {
    expect([...paretoFront([p(0.5, 0.5), p(0.5, 0.5), p(0.4, 0.4)])].sort()).toEqual([0, 1]);
  });
});

describe('gridValues', () => {
  it('spans the range inclusively', () => {
    expect(gridValues(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gridValues(0.2, 0.8, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(gridValues(0.3, 1, 1)).toEqual([0.3]);
  });
});
