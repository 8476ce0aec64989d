/**
 * The production build (what `npm run build` ships), not the dev server: bundling and
 * minification must not break the worker. Guards tensorflow/tfjs#4107 in particular — the
 * threaded wasm binary's pthreads, started from minified source text, killed the studio worker
 * ("e is not defined") as soon as evaluation ran on wasm.
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import type { ClipZooWeb } from '../src/worker/demo/clip-manifest';
import {
  cliOnTower,
  openClipDemo,
  percentCells,
  readClipZoo,
  resultsTable,
} from './helpers/clipDemo';
import { downloadMerged, mergeAndWait } from './helpers/studio';

const OUT_DIR = 'test-results/ui-production-build';

let web: ClipZooWeb;
let dir = '';
let server: PreviewServer;
let baseUrl: string;

test.describe.configure({ timeout: 900_000 });
test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  web = await readClipZoo();
  dir = await mkdtemp(join(tmpdir(), 'ui-production-'));
  // (public/, the CLIP demo zoo with it, is copied into the build.)
  await build({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    build: { outDir: OUT_DIR, emptyOutDir: true },
  });
  server = await preview({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    build: { outDir: OUT_DIR },
    preview: { port: Number(process.env.E2E_PORT ?? 5199) + 1, strictPort: false },
  });
  baseUrl = server.resolvedUrls?.local[0] ?? '';
});

test.afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('the production build merges and evaluates on wasm in its worker', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  // The CLIP demo's zero-shot row is the worker's first evaluation on wasm.
  await openClipDemo(page, web, `${baseUrl}?demo=clip&tf=wasm`);
  await expect(page.getByTestId('eval-backend')).toHaveAttribute('data-backend', 'wasm');
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await mergeAndWait(page);
  const bytes = await downloadMerged(page);
  const cli = cliOnTower(web, dir, bytes);
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  const merged = resultsTable(page).locator('tr[data-method="task_arithmetic"]').last();
  await expect(merged).toBeVisible({ timeout: 300_000 });
  // The same accuracies as the CLI's on the merge the page offers.
  await expect(merged.locator('td')).toHaveText(percentCells(await cli, web), {
    timeout: 300_000,
  });
  await expect(page.getByText('The studio worker stopped')).toHaveCount(0);
  expect(problems, 'console errors').toEqual([]);
});
