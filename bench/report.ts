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

/**
 * The merge's CPU seconds, and for WebGPU rows those the WebGPU stack spent (bench/thread-cpu.ts):
 * divided by the cores and the read time, a ratio no overlap can beat on this machine.
 */
export function cpuColumns(r: MergeMeasurement): string {
  if (!r.cpu) return '– | –';
  const total = r.cpu.totalSeconds.toFixed(1);
  if (r.device !== 'webgpu') return `${total} | –`;
  const gpu = r.cpu.gpuSideSeconds;
  return `${total} | ${gpu.toFixed(1)} (${ratio(gpu / r.cpu.cores, r.readSeconds)})`;
}

export function mergeTable(rows: MergeMeasurement[], ctx: MergeBenchContext): string {
  const memoryTarget = 4 * ctx.largestTensorBytes + 256 * MB;
  const cpuTime = new Map(
    rows
      .filter((r) => r.device === 'cpu' && !r.skipped)
      .map((r) => [`${r.runtime}/${r.case}`, r.mergeSeconds]),
  );
  const lines = [
    `Pool: base + ${ctx.fineTunes} fine-tunes, ${(ctx.poolBytes / GB).toFixed(2)} GB of f32 in all; ` +
      `largest tensor ${(ctx.largestTensorBytes / MB).toFixed(0)} MiB, so the memory target ` +
      `(4× largest + 256 MiB) is ${(memoryTarget / MB).toFixed(0)} MiB.`,
    '',
    '| runtime | device | method | passes | merge s | GB/s (input) | merge / read | vs CPU ref | CPU s (all threads) | WebGPU stack CPU s (÷ cores ÷ read) | peak memory MiB |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.skipped) {
      lines.push(
        `| ${r.runtime} | ${r.device} | ${r.label} | – | – | – | – | – | – | – | ${r.skipped} |`,
      );
      continue;
    }
    const mem = r.chromiumMemory;
    const mib = (b: number) => (b / MB).toFixed(0);
    const peak =
      r.runtime === 'node'
        ? `${mib(r.peakRssBytes)} (RSS)`
        : mem
          ? `${mib(mem.peakBytes)} (renderer + GPU process RSS${mem.phase === 'merge' ? '' : ', incl. the read baseline'}; +${mib(mem.peakBytes - mem.beforeBytes)} over the loaded page; VmHWM renderer ${mib(mem.rendererHwmBytes)}, GPU ${mib(mem.gpuHwmBytes)})`
          : `${mib(r.peakRssBytes - r.rssBeforeBytes)} (Δ RSS, all Chromium processes, older method)`;
    lines.push(
      `| ${r.runtime} | ${r.device} | ${r.label} | ${r.passes.join('+')} | ${r.mergeSeconds.toFixed(2)} | ` +
        `${(r.readBytes / GB / r.mergeSeconds).toFixed(3)} | ${ratio(r.mergeSeconds, r.readSeconds)} | ` +
        `${r.device === 'cpu' ? '1.00×' : ratio(r.mergeSeconds, cpuTime.get(`${r.runtime}/${r.case}`))} | ` +
        `${cpuColumns(r)} | ${peak} |`,
    );
  }
  return lines.join('\n');
}
