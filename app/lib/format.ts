/** Number formatting shared by tables and charts (locale-independent, so tests can read it). */

/** Binary units, named as such (a "KB" of 1024 bytes read as 1000 by half the readers). */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 322824 → "315.3 KiB": the CLI's digits (2 below 10, else 1) on binary units. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** Seconds as a person reads a wait: "0.4 s", "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
}

/** 1234 → "1,234"; 12_345_678 → "12.3M" (exact below a million, where people compare). */
export function formatCount(count: number): string {
  if (count < 1_000_000) return count.toLocaleString('en-US');
  if (count < 1_000_000_000) return `${(count / 1_000_000).toFixed(1)}M`;
  return `${(count / 1_000_000_000).toFixed(2)}B`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
