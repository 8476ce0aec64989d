/**
 * The scale bench's Chromium half (issue 19): the same Llama-shaped BF16 pool as
 * bench/llm-scale.ts (three sharded HF folders), merged in a headless Chromium tab with the
 * output streamed to disk (OPFS of an on-disk profile: a sharded folder written through
 * FileSystemWritableFileStream), reporting merge time as × the page's own read of the pool and
 * peak renderer + GPU process memory (bench/chromium-memory.ts) over the idle page, against
 * 4 × the largest tensor + 256 MB.
 *
 * Chromium is started by this script with a temporary --user-data-dir (Playwright's own
 * launch gives incognito contexts, whose OPFS lives in memory) and driven over CDP; the
 * profile, with the merged folder in it, is deleted at the end.
 *   npx tsx bench/llm-scale-browser.ts --pool /big/disk/llm-pool [--device cpu|webgpu]
 *     [--cases ties,dare_ties] [--compute f32|bf16] [--shape hidden,intermediate,layers,vocab]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../e2e/chromium-flags';
import { startQuietDevServer } from './in-page-call';
import { ChromiumMemorySampler } from './chromium-memory';
import {
  LLAMA_3B,
  LLM_BENCH_OPTIONS,
  ensureLlmPool,
  llamaSpecs,
  parseShape,
  recipe,
  type LlmShape,
} from './llm-scale';

const KEYS = ['base', 'ft1', 'ft2'];
const PAGE = '/bench/in-page/llm-scale-page.ts';
type Page = import('playwright-core').Page;

async function callPage<T>(page: Page, fn: string, args: unknown[]): Promise<T> {
  return page.evaluate(
    async ([path, name, rest]) => {
      const mod = (await import(/* @vite-ignore */ path as string)) as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      return mod[name as string]!(...(rest as unknown[]));
    },
    [PAGE, fn, args] as const,
  ) as Promise<T>;
}

/**
 * A persistent context (on-disk profile, so OPFS is on disk) launched by Playwright itself, so
 * setInputFiles hands Chromium local paths: over a CDP connection it would send the bytes,
 * which Playwright refuses above 50 MB (the pool's shards are 2 GB). The DevTools port is
 * opened too, for a second, browser-level CDP client that samples process memory.
 */
async function startChromium(profile: string, port: number) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: [...chromiumArgs, `--remote-debugging-port=${port}`],
    headless: true,
  });
  for (let i = 0; i < 100; i++) {
    try {
      return { context, cdp: await chromium.connectOverCDP(`http://127.0.0.1:${port}`) };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await context.close();
  throw new Error('Chromium did not open its DevTools port');
}

export async function runLlmBrowserCase(
  pool: string,
  method: string,
  device: 'cpu' | 'webgpu',
  compute: 'f32' | 'bf16',
  shape: LlmShape,
) {
  const { url, close } = await startQuietDevServer(5211);
  const profile = mkdtempSync(join(tmpdir(), 'llm-scale-profile-'));
  const { context, cdp } = await startChromium(profile, 9341);
  try {
    const page = await context.newPage();
    await page.goto(new URL('bench/in-page/bench.html', url).href);
    await callPage(page, 'addFolderInputs', [KEYS]);
    for (const key of KEYS) {
      const dir = join(pool, key);
      await page.setInputFiles(
        `#folder-${key}`,
        readdirSync(dir).map((f) => join(dir, f)),
      );
    }
    const sampler = new ChromiumMemorySampler(await cdp.newBrowserCDPSession());
    await sampler.start();
    const r = await callPage<{ mergeSeconds: number; bytesWritten: number }>(
      page,
      'llmMergeInPage',
      [KEYS, recipe(method, compute), device],
    );
    const memory = await sampler.stop();
    const read = await callPage<{ readBytes: number; readSeconds: number }>(page, 'llmReadInPage', [
      KEYS,
    ]);
    await callPage(page, 'llmCleanInPage', []);
    const largest = Math.max(...llamaSpecs(shape).map((s) => 2 * s.shape.reduce((a, b) => a * b)));
    return { method, device, compute, ...r, ...read, memory, bound: 4 * largest + 256e6 };
  } finally {
    await cdp.close().catch(() => undefined);
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    await close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: LLM_BENCH_OPTIONS });
  if (!values.pool) throw new Error('--pool <folder> is required');
  const shape = values.shape ? parseShape(values.shape) : LLAMA_3B;
  await ensureLlmPool(values.pool, shape);
  for (const method of values.cases!.split(',')) {
    const r = await runLlmBrowserCase(
      values.pool,
      method,
      values.device as 'cpu' | 'webgpu',
      values.compute as 'f32' | 'bf16',
      shape,
    );
    const over = r.memory.peakBytes - r.memory.beforeBytes;
    console.log(
      `chromium ${r.method} (${r.device}, ${r.compute}): ${r.mergeSeconds.toFixed(1)} s = ${(r.mergeSeconds / r.readSeconds).toFixed(2)}× the page's read (${(r.readBytes / 1e9).toFixed(2)} GB in ${r.readSeconds.toFixed(1)} s), ${(r.bytesWritten / 1e9).toFixed(2)} GB written to OPFS; renderer+GPU peak ${(r.memory.peakBytes / 1e6).toFixed(0)} MB, ${(over / 1e6).toFixed(0)} MB over the idle page (${over <= r.bound ? 'within' : 'OVER'} ${(r.bound / 1e6).toFixed(0)} MB)`,
    );
  }
}
