import { describe, expect, it } from 'vitest';
import { averageMargin } from './estimateMargin';

describe('averageMargin', () => {
  it('is the 95 % half-width of a mean of binomial proportions (worked by hand)', () => {
    // Two tasks at 50 % and 80 % on 100 images each:
    // Σ p(1−p)/n = 0.25/100 + 0.16/100 = 0.0041, √ = 0.064031, /2 tasks = 0.032016, ×1.96 = 0.06275.
    expect(averageMargin({ a: 0.5, b: 0.8 }, 100)).toBeCloseTo(0.06275, 4);
  });

  it('shrinks as 1/√n', () => {
    const small = averageMargin({ a: 0.6, b: 0.3 }, 16);
    const large = averageMargin({ a: 0.6, b: 0.3 }, 64);
    expect(small / large).toBeCloseTo(2, 6);
  });

  it('does not claim ±0 for a perfect sample', () => {
    expect(averageMargin({ a: 1, b: 1 }, 64)).toBeGreaterThan(0);
    expect(averageMargin({}, 64)).toBeNaN();
  });
});
