/** Turns merge measurements into the JSON record and the markdown table of docs/bench.md. */
import type { MergeMeasurement } from './run-merge-node';

const GB = 1e9;
const MB = 1024 * 1024;

export interface MergeBenchContext {
  poolBytes: number;
  largestTensorBytes: number;
  fineTunes: number;
}

function ratio(a: number, b: number | undefined): string {
  return b && b > 0 ? `${(a / b).toFixed(2)}×` : '–';
}

export function mergeTable(rows: MergeMeasurement[], ctx: MergeBenchContext): string {
  const memoryTarget = 4 * ctx.largestTensorBytes + 256 * MB;
  const cpuTime = new Map(
    rows.filter((r) => r.device === 'cpu').map((r) => [`${r.runtime}/${r.case}`, r.mergeSeconds]),
  );
  const lines = [
    `Pool: base + ${ctx.fineTunes} fine-tunes, ${(ctx.poolBytes / GB).toFixed(2)} GB of f32 in all; ` +
      `largest tensor ${(ctx.largestTensorBytes / MB).toFixed(0)} MiB, so the memory target ` +
      `(4× largest + 256 MiB) is ${(memoryTarget / MB).toFixed(0)} MiB.`,
    '',
    '| runtime | device | method | passes | merge s | GB/s (input) | merge / read | vs CPU ref | peak memory MiB |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const peak =
      r.runtime === 'node'
        ? `${(r.peakRssBytes / MB).toFixed(0)} (RSS)`
        : `${((r.peakRssBytes - r.rssBeforeBytes) / MB).toFixed(0)} (Δ RSS, all Chromium processes)`;
    lines.push(
      `| ${r.runtime} | ${r.device} | ${r.label} | ${r.passes.join('+')} | ${r.mergeSeconds.toFixed(2)} | ` +
        `${(r.readBytes / GB / r.mergeSeconds).toFixed(3)} | ${ratio(r.mergeSeconds, r.readSeconds)} | ` +
        `${r.device === 'cpu' ? '1.00×' : ratio(r.mergeSeconds, cpuTime.get(`${r.runtime}/${r.case}`))} | ${peak} |`,
    );
  }
  return lines.join('\n');
}
