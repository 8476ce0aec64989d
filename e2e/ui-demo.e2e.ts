import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { tinyModel } from './helpers/models';
import { checkpointRow, openStudio } from './helpers/studio';

/** A minimal zoo, served by routing /zoo/* (the worker's fetches go through the same route). */
async function serveZoo(page: Page): Promise<void> {
  const task = (name: string, title: string) => ({
    name,
    title,
    description: `${title} digits`,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    checkpoint: `${name}.safetensors`,
    headTensors: ['decoders.cls.weight'],
    test: { file: `${name}-test.bin`, count: 1, side: 8 },
    source: 'procedural',
  });
  const manifest = {
    format: 'merge-studio-zoo',
    version: 1,
    model: {
      architecture: 'vit',
      config: { imageSize: 8, patchSize: 4, dim: 8, depth: 1, heads: 1, mlpDim: 8 },
    },
    headPrefix: 'decoders.',
    base: { checkpoint: 'base.safetensors', objective: 'test', headTensors: [] },
    tasks: [task('mnist', 'MNIST'), task('fashion', 'Fashion')],
    seed: 1,
    provenance: [],
    build: {},
  };
  const files: Record<string, Uint8Array> = {
    'base.safetensors': tinyModel('base', 5, 0, 'decoders').bytes,
    'mnist.safetensors': tinyModel('mnist', 10, 0.1, 'decoders').bytes,
    'fashion.safetensors': tinyModel('fashion', 10, -0.1, 'decoders').bytes,
  };
  // Only the served zoo (/zoo/…), not the source module /src/zoo/….
  await page.context().route(
    (url) => url.pathname.startsWith('/zoo/'),
    async (route) => {
      const file = new URL(route.request().url()).pathname.split('/zoo/')[1] ?? '';
      if (file === 'manifest.json') return route.fulfill({ json: manifest });
      const bytes = files[file];
      if (!bytes) return route.fulfill({ status: 404 });
      return route.fulfill({ body: Buffer.from(bytes), contentType: 'application/octet-stream' });
    },
  );
}

const published = JSON.parse(readFileSync('public/clip-zoo/clip-zoo.json', 'utf8')) as {
  tasks: unknown[];
};

test('Load demo explains itself when the CLIP demo is not published', async ({ page }) => {
  await page
    .context()
    .route('**/clip-zoo/clip-zoo.json', (route) => route.fulfill({ status: 404 }));
  await openStudio(page);
  const button = page.getByRole('button', { name: 'Load demo' });
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription(/clip-zoo\.json is not there/);
});

/** The published zoo's base and fine-tunes fill the table once (no "(2)" rows), base chosen. */
async function expectClipDemoRows(page: Page): Promise<void> {
  const rows = page.getByTestId('checkpoint-row');
  await expect(rows).toHaveCount(1 + published.tasks.length, { timeout: 120_000 });
  for (const row of await rows.all()) await expect(row).toHaveAttribute('data-name', /^clip-/);
  await expect(checkpointRow(page, 'clip-base').getByRole('radio')).toBeChecked();
  await expect(page.getByLabel('Task-specific tensors')).toHaveValue(/text_model\./);
  await expect(page.getByTestId('clip-demo-loaded')).toBeVisible();
}

test('Load demo loads the tiny-CLIP demo into the CLIP panel and the main panels', async ({
  page,
}) => {
  await openStudio(page, '/', 120_000);
  const button = page.getByRole('button', { name: 'Load demo' });
  await expect(button).toBeEnabled();
  await expect(button.locator('..')).toHaveAttribute('title', /tiny CLIP.*mnist/);
  await button.click();
  // One job at a time: the button waits while the demo loads and evaluates.
  await expect(button).toBeDisabled();
  await expectClipDemoRows(page);
});

test('?demo in the URL loads the tiny-CLIP demo at startup, once', async ({ page }) => {
  await openStudio(page, '/?demo', 120_000);
  await expectClipDemoRows(page);
});

test('?demo=v1 loads the v1 toy zoo at startup and adopts its head prefix', async ({ page }) => {
  await serveZoo(page);
  await openStudio(page, '/?demo=v1');
  for (const name of ['base', 'mnist', 'fashion']) {
    await expect(checkpointRow(page, name).locator('[data-col="tensors"]')).toHaveText('3');
  }
  // Exactly once, even under StrictMode's double effects: no "base (2)" row.
  await expect(page.locator('[data-testid="checkpoint-row"]')).toHaveCount(3);
  await expect(checkpointRow(page, 'base').getByRole('radio')).toBeChecked();
  await expect(page.getByLabel('Task-specific tensors')).toHaveValue('decoders.');
});
