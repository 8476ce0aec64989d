import { describe, expect, it } from 'vitest';
import { seriesRows } from './seriesRows';

describe('seriesRows', () => {
  it('puts x under its key and series i under s{i}; missing values become null', () => {
    const rows = seriesRows(
      [
        { step: 3, v: [0.5, 2] },
        { step: 7, v: [1, undefined] },
      ],
      'step',
      (p) => ({ x: p.step, values: p.v }),
    );
    expect(rows).toEqual([
      { step: 3, s0: 0.5, s1: 2 },
      { step: 7, s0: 1, s1: null },
    ]);
  });
});
