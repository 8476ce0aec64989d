/**
 * The production build (what `npm run build` ships), not the dev server: bundling and
 * minification must not break the worker. Guards tensorflow/tfjs#4107 in particular — the
 * threaded wasm binary's pthreads, started from minified source text, killed the studio worker
 * ("e is not defined") as soon as evaluation ran on wasm.
 */
import { test, expect } from '@playwright/test';
import { build, preview, type PreviewServer } from 'vite';
import { buildMiniZoo, serveMiniZoo, type MiniZoo } from './helpers/miniZoo';
import { openStudio, v1Demo } from './helpers/studio';

const OUT_DIR = 'test-results/ui-production-build';

let zoo: MiniZoo;
let server: PreviewServer;
let baseUrl: string;

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  zoo = await buildMiniZoo();
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
});

test('the production build merges and evaluates on wasm in its worker', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await serveMiniZoo(page, zoo.files);
  await openStudio(page, v1Demo(`${baseUrl}?tf=wasm`));
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
  // Load demo has merged (task arithmetic, λ = 0.3) and evaluated by itself.
  await expect(page.getByTestId('run-status')).toHaveText('Merged.', { timeout: 60_000 });
  const merged = page.getByTestId('results-table').getByRole('row', { name: /^#1 / });
  await expect(merged).toBeVisible({ timeout: 60_000 });
  // The same accuracies as the reference merge computed in the test (±2 of 40 images).
  const got = (await merged.locator('td').allInnerTexts())
    .slice(1, 3) // after the average
    .map((t) => Number(t.replace('%', '')) / 100);
  Object.values(zoo.expectedMerged).forEach((want, i) =>
    expect(Math.abs(got[i]! - want)).toBeLessThanOrEqual(0.05),
  );
  await expect(page.getByText('The studio worker stopped')).toHaveCount(0);
  expect(problems, 'console errors').toEqual([]);
});
