import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatPercent } from './format';

describe('format', () => {
  it('formats byte sizes with binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MB');
  });

  it('keeps counts exact below a million and abbreviates above', () => {
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(86_000_000)).toBe('86.0M');
    expect(formatCount(7_240_000_000)).toBe('7.24B');
  });

  it('formats accuracy fractions as percentages', () => {
    expect(formatPercent(0.8012)).toBe('80.1%');
  });
});
