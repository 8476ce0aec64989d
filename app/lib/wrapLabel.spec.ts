import { describe, expect, it } from 'vitest';
import { wrapLabel } from './wrapLabel';

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
