/**
 * The merge benchmark in headless Chromium (lavapipe WebGPU adapter): a Vite dev server serves
 * the core, Playwright hands the pool's files to the page, and the renderer and GPU processes'
 * memory is read from /proc while each merge runs (chromium-memory.ts). Every measurement gets
 * a fresh browser, so per-process high-water marks belong to that merge alone.
 */
import { join } from 'node:path';
import { chromium, type CDPSession } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';
import { startQuietDevServer } from './in-page-call';
import { ChromiumMemorySampler } from './chromium-memory';
import { selectedCases } from './merge-cases';
import { layerCount, layoutFromDir } from './pool-read';
import { modelFile } from './pool';
import { skippedRow, type MergeMeasurement } from './run-merge-node';
import { cpuSince, gpuProcessCpu, processCpu, sumCpu, type CpuTally } from './thread-cpu';
import { cpus } from 'node:os';

/**
 * CPU tally of each of the browser's processes (browser, renderers, GPU, utilities) now; the
 * GPU process counts as the WebGPU stack's (bench/thread-cpu.ts).
 */
async function chromiumCpu(cdp: CDPSession): Promise<Map<number, CpuTally>> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { id: number; type: string }[];
  };
  return new Map(
    processInfo.map((p) => [p.id, p.type === 'GPU' ? gpuProcessCpu(p.id) : processCpu(p.id)]),
  );
}

/** CPU used between two tallies; a process started in between counts from zero. */
function chromiumCpuSince(before: Map<number, CpuTally>, after: Map<number, CpuTally>) {
  const zero = { totalSeconds: 0, gpuSideSeconds: 0 };
  return sumCpu([...after].map(([pid, t]) => cpuSince(before.get(pid) ?? zero, t)));
}

type InPageResult = Omit<
  MergeMeasurement,
  | 'runtime'
  | 'device'
  | 'case'
  | 'label'
  | 'peakRssBytes'
  | 'rssBeforeBytes'
  | 'readBytes'
  | 'readSeconds'
>;

export async function runBrowserMergeBench(
  poolDir: string,
  devices: ('cpu' | 'webgpu')[],
  log: (line: string) => void,
  timeoutSeconds = Infinity,
): Promise<MergeMeasurement[]> {
  const layout = layoutFromDir(poolDir);
  const files = Array.from({ length: layout.fineTunes + 1 }, (_, i) => join(poolDir, modelFile(i)));
  // BENCH_PORT: a free port when several worktrees run benches (default 5210).
  const { url, close } = await startQuietDevServer(Number(process.env.BENCH_PORT ?? 5210));
  const results: MergeMeasurement[] = [];
  try {
    for (const c of selectedCases()) {
      for (const device of devices) {
        // A fresh browser per measurement: no buffers, caches or high-water marks carried over.
        const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
        const page = await browser.newPage();
        await page.goto(new URL('bench/in-page/bench.html', url).href);
        await page.setInputFiles('#pool', files);
        const cdp = await browser.newBrowserCDPSession();
        const sampler = new ChromiumMemorySampler(cdp);
        await sampler.start();
        const cpuBefore = await chromiumCpu(cdp);
        try {
          const evaluation = page.evaluate(
            async ([modulePath, yaml, dev]) => {
              const mod = (await import(/* @vite-ignore */ modulePath)) as {
                benchMergeInPage: (y: string, d: string) => Promise<InPageResult>;
              };
              return mod.benchMergeInPage(yaml, dev);
            },
            [
              '/bench/in-page/merge-bench.ts',
              c.yaml(layout.fineTunes, layerCount(layout)),
              device,
            ] as const,
          );
          evaluation.catch(() => undefined);
          let timer: ReturnType<typeof setTimeout> | undefined;
          const limit = new Promise<'timeout'>((resolve) => {
            // No limit by default (setTimeout would take Infinity as 1 ms).
            if (Number.isFinite(timeoutSeconds)) {
              timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
            }
          });
          const r = await Promise.race([evaluation, limit]);
          clearTimeout(timer);
          if (r === 'timeout') {
            const reason = `not finished within the run's ${timeoutSeconds} s limit per measurement`;
            log(`chromium ${device} ${c.id}: ${reason}`);
            results.push(skippedRow('chromium', device, c, reason));
            continue;
          }
          const cpu = {
            ...chromiumCpuSince(cpuBefore, await chromiumCpu(cdp)),
            cores: cpus().length,
          };
          // Memory is the merge's alone: the read baseline runs after the sampler stops.
          const memory = await sampler.stop();
          const read = await page.evaluate(async (modulePath) => {
            const mod = (await import(/* @vite-ignore */ modulePath)) as {
              benchReadInPage: () => Promise<{ readBytes: number; readSeconds: number }>;
            };
            return mod.benchReadInPage();
          }, '/bench/in-page/merge-bench.ts');
          results.push({
            runtime: 'chromium',
            device,
            case: c.id,
            label: c.label,
            peakRssBytes: memory.peakBytes,
            rssBeforeBytes: memory.beforeBytes,
            chromiumMemory: { ...memory, phase: 'merge' },
            cpu,
            ...r,
            ...read,
          });
          log(
            `chromium ${device} ${c.id}: merge ${r.mergeSeconds.toFixed(2)} s, read ${read.readSeconds.toFixed(2)} s`,
          );
        } catch (e) {
          log(`chromium ${device} ${c.id}: FAILED ${(e as Error).message.split('\n')[0]}`);
        } finally {
          await sampler.stop().catch(() => undefined);
          await browser.close();
        }
      }
    }
  } finally {
    await close();
  }
  return results;
}
