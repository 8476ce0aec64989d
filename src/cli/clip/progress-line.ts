/** Progress of a CLIP job on stderr: done/total, rate and ETA, at most one line a second. */
import type { Progress, ProgressCallback } from '../../core';
import type { CliIo } from '../types';

export function formatEta(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

export function describeProgress(p: Progress, unit: string): string | undefined {
  if (p.status !== 'progress') return undefined;
  const rate = p.rate !== undefined ? `, ${p.rate.toFixed(1)} ${unit}/s` : '';
  // The first units' rate says little: an ETA only once a tenth is done.
  const eta = p.eta !== undefined && p.done * 10 >= p.total ? `, ETA ${formatEta(p.eta)}` : '';
  return `${p.task}: ${p.done}/${p.total} ${unit}${rate}${eta}`;
}

export function progressLine(io: CliIo, unit = 'images', everyMs = 1000): ProgressCallback {
  let last = -Infinity;
  return (p) => {
    const now = performance.now();
    const final = p.status === 'progress' && p.done === p.total;
    if (!final && now - last < everyMs) return;
    const line = describeProgress(p, unit);
    if (line) {
      io.err(line);
      last = now;
    }
  };
}
