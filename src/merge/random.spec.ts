import { describe, expect, it } from 'vitest';
import { elementUniform, mix32, nameHash, streamKey } from './random';

describe('counter-based randomness', () => {
  it('matches the published lowbias32 and FNV-1a values', () => {
    // FNV-1a("a") = 0xe40c292c is the reference value from the FNV spec.
    expect(nameHash('a')).toBe(0xe40c292c);
    expect(nameHash('')).toBe(0x811c9dc5);
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).not.toBe(mix32(2));
  });

  it('is uniform in [0,1) and depends on every input', () => {
    const key = streamKey(42, 0, nameHash('w'));
    let sum = 0;
    let below = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = elementUniform(key, i);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      if (u < 0.3) below++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(below / n).toBeCloseTo(0.3, 2);
    expect(streamKey(42, 1, nameHash('w'))).not.toBe(key);
    expect(streamKey(43, 0, nameHash('w'))).not.toBe(key);
    expect(streamKey(42, 0, nameHash('v'))).not.toBe(key);
  });
});
