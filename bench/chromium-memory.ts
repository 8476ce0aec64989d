/**
 * Per-process memory of one Chromium merge, for the benchmark table: the renderer that runs
 * the page and the GPU process (where lavapipe's "GPU" buffers live, in host memory). Pids and
 * process types come from the browser itself (CDP SystemInfo.getProcessInfo); memory from
 * /proc/<pid>/status — VmRSS sampled every 50 ms (the peak of renderer + GPU together) and
 * VmHWM (each process's own high-water mark since it started; the browser is launched fresh
 * for every measurement, so nothing from an earlier merge counts). The browser process (file
 * reads for Blob.slice pass through it) and utility processes are not counted.
 */
import { readFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';

export interface ChromiumMemory {
  /** Renderer + GPU process RSS just before the merge. */
  beforeBytes: number;
  /** Peak of (renderer + GPU process RSS) while the merge ran, sampled every 50 ms. */
  peakBytes: number;
  /** VmHWM of the renderer and of the GPU process at the end of the merge. */
  rendererHwmBytes: number;
  gpuHwmBytes: number;
  /**
   * 'merge': sampled during the merge only (the read baseline runs afterwards). Absent in
   * rows of the first run with this sampler, whose figures include the read baseline's
   * 2 GB of Blob reads after the merge.
   */
  phase?: 'merge';
}

interface ProcessInfo {
  type: string;
  id: number;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // The process exited.
  }
}

export class ChromiumMemorySampler {
  private pids: ProcessInfo[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private peak = 0;
  private before = 0;

  constructor(private readonly cdp: CDPSession) {}

  private async refresh(): Promise<void> {
    const { processInfo } = (await this.cdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: ProcessInfo[];
    };
    this.pids = processInfo.filter((p) => p.type === 'renderer' || p.type === 'GPU');
  }

  private sum(field: 'VmRSS' | 'VmHWM', type?: string): number {
    return this.pids
      .filter((p) => !type || p.type === type)
      .reduce((n, p) => n + statusKb(p.id, field), 0);
  }

  async start(): Promise<void> {
    await this.refresh();
    if (!this.pids.some((p) => p.type === 'renderer')) {
      throw new Error('no renderer process reported by SystemInfo.getProcessInfo');
    }
    this.before = this.sum('VmRSS');
    this.peak = this.before;
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, this.sum('VmRSS'));
    }, 50);
  }

  async stop(): Promise<ChromiumMemory> {
    if (this.timer) clearInterval(this.timer);
    // A GPU process started during the merge (first WebGPU use) is picked up here.
    await this.refresh();
    this.peak = Math.max(this.peak, this.sum('VmRSS'));
    return {
      beforeBytes: this.before,
      peakBytes: this.peak,
      rendererHwmBytes: this.sum('VmHWM', 'renderer'),
      gpuHwmBytes: this.sum('VmHWM', 'GPU'),
    };
  }
}
