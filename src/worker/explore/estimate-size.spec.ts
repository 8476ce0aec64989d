import { describe, expect, it } from 'vitest';
import { EstimateSizer, MIN_ESTIMATE } from './estimate-size';

describe('EstimateSizer', () => {
  it('uses the full estimate until a pass has been measured, or without a budget', () => {
    const sizer = new EstimateSizer();
    expect(sizer.size(64, 8, 170)).toBe(64);
    sizer.observe(100, 100);
    expect(sizer.size(64, 8, undefined)).toBe(64);
  });

  it('fits the budget at the measured speed, in steps of 8', () => {
    const sizer = new EstimateSizer();
    sizer.observe(512, 1024); // 0.5 ms per image
    // 170 ms / (0.5 ms × 8 tasks) = 42.5 images per task → 40.
    expect(sizer.size(64, 8, 170)).toBe(40);
    // A fast device: 0.1 ms per image fits 212 per task, capped at the 64 asked for.
    const fast = new EstimateSizer();
    fast.observe(10, 100);
    expect(fast.size(64, 8, 170)).toBe(64);
  });

  it('never goes below the minimum, and smooths the speed over passes', () => {
    const sizer = new EstimateSizer();
    sizer.observe(1000, 100); // 10 ms per image: nothing fits
    expect(sizer.size(64, 8, 170)).toBe(MIN_ESTIMATE);
    sizer.observe(100, 1000); // 0.1 ms per image: mean with the last → 5.05 ms
    expect(sizer.msPerImage).toBeCloseTo(5.05, 10);
  });
});
