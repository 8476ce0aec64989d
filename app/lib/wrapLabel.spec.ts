import { describe, expect, it } from 'vitest';
import { charBudget, wrapLabel } from './wrapLabel';

describe('wrapLabel', () => {
  it('keeps a short label on one line', () => {
    expect(wrapLabel('MNIST digits', 14)).toEqual(['MNIST digits']);
  });

  it('wraps at word boundaries', () => {
    expect(wrapLabel('Fashion groups, inverted', 16)).toEqual(['Fashion groups,', 'inverted']);
  });

  it('cuts what does not fit and says so', () => {
    // 'MNIST rotated' (13) fits 14, then '90°, inverted' (13): the two lines hold it all.
    expect(wrapLabel('MNIST rotated 90°, inverted', 14)).toEqual([
      'MNIST rotated',
      '90°, inverted',
    ]);
    // At 8 characters: 'MNIST', 'rotated' and the rest would need more lines.
    expect(wrapLabel('MNIST rotated 90°, inverted', 8)).toEqual(['MNIST', 'rotated…']);
    expect(wrapLabel('Supercalifragilistic', 8)).toEqual(['Superca…']);
  });
});

describe('charBudget', () => {
  const at7px = (s: string) => 7 * s.length;

  it('gives a label that fits all its characters', () => {
    expect(charBudget('shapes', 60, at7px)).toBeCloseTo(60 / 7);
    expect(wrapLabel('shapes', charBudget('shapes', 60, at7px))).toEqual(['shapes']);
  });

  it('keeps room for the ellipsis when the label is cut', () => {
    // 'compass' is 49 px at 7 px a character; 40 px hold 5.7 characters, 4.7 with the "…".
    expect(charBudget('compass', 40, at7px)).toBeCloseTo(40 / 7 - 1);
    const [line] = wrapLabel('compass', charBudget('compass', 40, at7px));
    expect(at7px(line!.slice(0, -1)) + 14).toBeLessThanOrEqual(40);
  });
});
