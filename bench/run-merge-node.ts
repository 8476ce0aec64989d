/** Runs every merge case on cpu and webgpu, each in its own Node process (see merge-node-one). */
import { spawnSync } from 'node:child_process';
import { selectedCases, type MergeCase } from './merge-cases';

/** A row for a measurement that did not finish (the table shows the reason). */
export function skippedRow(
  runtime: 'node' | 'chromium',
  device: 'cpu' | 'webgpu',
  c: MergeCase,
  reason: string,
): MergeMeasurement {
  return {
    runtime,
    device,
    adapter: '',
    case: c.id,
    label: c.label,
    passes: [],
    readBytes: 0,
    readSeconds: 0,
    mergeSeconds: 0,
    bytesWritten: 0,
    peakRssBytes: 0,
    rssBeforeBytes: 0,
    skipped: reason,
  };
}

export interface MergeMeasurement {
  runtime: 'node' | 'chromium';
  device: 'cpu' | 'webgpu';
  adapter: string;
  case: string;
  label: string;
  passes: string[];
  readBytes: number;
  readSeconds: number;
  mergeSeconds: number;
  bytesWritten: number;
  peakRssBytes: number;
  rssBeforeBytes: number;
  /** Chromium only: renderer + GPU process memory (bench/chromium-memory.ts). */
  chromiumMemory?: import('./chromium-memory').ChromiumMemory;
  /**
   * CPU time of the merge (bench/thread-cpu.ts): Node's process, or Chromium's processes
   * (browser, renderers, GPU, utilities); gpuSideSeconds is the WebGPU stack's share.
   */
  cpu?: import('./thread-cpu').CpuTally & { cores: number };
  /** Not measured: why (e.g. the run's time limit), shown in the table instead of figures. */
  skipped?: string;
}

export function runNodeMergeBench(
  poolDir: string,
  devices: ('cpu' | 'webgpu')[],
  log: (line: string) => void,
  timeoutSeconds = Infinity,
): MergeMeasurement[] {
  const results: MergeMeasurement[] = [];
  for (const c of selectedCases()) {
    for (const device of devices) {
      const r = spawnSync('npx', ['tsx', 'bench/merge-node-one.ts', poolDir, c.id, device], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' },
        ...(Number.isFinite(timeoutSeconds) ? { timeout: timeoutSeconds * 1000 } : {}),
        killSignal: 'SIGKILL',
      });
      if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
        const reason = `not finished within the run's ${timeoutSeconds} s limit per measurement`;
        log(`node ${device} ${c.id}: ${reason}`);
        results.push(skippedRow('node', device, c, reason));
        continue;
      }
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        log(`node ${device} ${c.id}: FAILED (${r.status}) ${r.stderr.trim().split('\n').pop()}`);
        continue;
      }
      const m = JSON.parse(line) as MergeMeasurement;
      log(
        `node ${device} ${c.id}: merge ${m.mergeSeconds.toFixed(2)} s, read ${m.readSeconds.toFixed(2)} s`,
      );
      results.push(m);
    }
  }
  return results;
}
