import { expect } from 'vitest';

/**
 * Gradients from two float32 implementations with different summation orders: every entry
 * within `relative` of the largest |want|, which must not vanish (that would make the check
 * empty).
 */
export function expectClose(got: number[], want: number[], relative: number): void {
  expect(got).toHaveLength(want.length);
  const scale = Math.max(...want.map(Math.abs));
  expect(scale).toBeGreaterThan(1e-3);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(relative * scale));
}
