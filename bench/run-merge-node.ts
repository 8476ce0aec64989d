/** Runs every merge case on cpu and webgpu, each in its own Node process (see merge-node-one). */
import { spawnSync } from 'node:child_process';
import { selectedCases } from './merge-cases';

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
}

export function runNodeMergeBench(
  poolDir: string,
  devices: ('cpu' | 'webgpu')[],
  log: (line: string) => void,
): MergeMeasurement[] {
  const results: MergeMeasurement[] = [];
  for (const c of selectedCases()) {
    for (const device of devices) {
      const r = spawnSync('npx', ['tsx', 'bench/merge-node-one.ts', poolDir, c.id, device], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' },
      });
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
