import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatPercent } from './format';

describe('format', () => {
  it('formats byte sizes with binary units, labelled KiB/MiB/GiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    // The demo base: 322,824 bytes / 1024 = 315.26 KiB.
    expect(formatBytes(322_824)).toBe('315.3 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GiB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300.0 MiB');
  });

  it('formats waits in seconds, minutes and hours', () => {
    expect(formatDuration(0.42)).toBe('0.4 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(formatDuration(Infinity)).toBe('–');
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
