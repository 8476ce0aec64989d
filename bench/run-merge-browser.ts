/**
 * The merge benchmark in headless Chromium (lavapipe WebGPU adapter): a Vite dev server serves
 * the core, Playwright hands the pool's files to the page, and the renderer + GPU processes'
 * RSS is sampled from /proc while each merge runs.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';
import { selectedCases } from './merge-cases';
import { layoutFromDir } from './pool-read';
import { modelFile } from './pool';
import type { MergeMeasurement } from './run-merge-node';

type InPageResult = Omit<
  MergeMeasurement,
  'runtime' | 'device' | 'case' | 'label' | 'peakRssBytes' | 'rssBeforeBytes'
>;

/** Sum of the RSS of every running chromium process, in bytes. */
function chromiumRss(): number {
  try {
    const out = execFileSync('ps', ['-C', 'chromium', '-o', 'rss='], { encoding: 'utf8' });
    return out
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => Number.isFinite(n))
      .reduce((a, b) => a + b * 1024, 0);
  } catch {
    return 0;
  }
}

export async function runBrowserMergeBench(
  poolDir: string,
  devices: ('cpu' | 'webgpu')[],
  log: (line: string) => void,
): Promise<MergeMeasurement[]> {
  const layout = layoutFromDir(poolDir);
  const files = Array.from({ length: layout.fineTunes + 1 }, (_, i) => join(poolDir, modelFile(i)));
  const server = await createServer({
    configFile: 'vite.config.ts', // No HMR or file watching: an edit elsewhere in the tree must not reload the page mid-merge.
    server: { port: 5210, hmr: false, watch: { ignored: ['**/*'] } },
    logLevel: 'error',
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? 'http://localhost:5210/';
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const results: MergeMeasurement[] = [];
  try {
    for (const c of selectedCases()) {
      for (const device of devices) {
        // A fresh page per measurement: no buffers or caches carried over.
        const page = await browser.newPage();
        await page.goto(new URL('bench/in-page/bench.html', url).href);
        await page.setInputFiles('#pool', files);
        const before = chromiumRss();
        let peak = before;
        const sampler = setInterval(() => (peak = Math.max(peak, chromiumRss())), 50);
        try {
          const r = await page.evaluate(
            async ([modulePath, yaml, dev]) => {
              const mod = (await import(/* @vite-ignore */ modulePath)) as {
                benchMergeInPage: (y: string, d: string) => Promise<InPageResult>;
              };
              return mod.benchMergeInPage(yaml, dev);
            },
            ['/bench/in-page/merge-bench.ts', c.yaml(layout.fineTunes), device] as const,
          );
          results.push({
            runtime: 'chromium',
            device,
            case: c.id,
            label: c.label,
            peakRssBytes: peak,
            rssBeforeBytes: before,
            ...r,
          });
          log(
            `chromium ${device} ${c.id}: merge ${r.mergeSeconds.toFixed(2)} s, read ${r.readSeconds.toFixed(2)} s`,
          );
        } catch (e) {
          log(`chromium ${device} ${c.id}: FAILED ${(e as Error).message.split('\n')[0]}`);
        } finally {
          clearInterval(sampler);
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}
