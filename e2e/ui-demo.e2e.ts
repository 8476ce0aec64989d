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

test('Load demo explains itself when the zoo is not built', async ({ page }) => {
  await page.context().route('**/zoo/manifest.json', (route) => route.fulfill({ status: 404 }));
  await openStudio(page);
  const button = page.getByRole('button', { name: 'Load demo' });
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription(/manifest\.json.*404/);
});

test('Load demo loads the zoo base and fine-tunes and adopts its head prefix', async ({ page }) => {
  await serveZoo(page);
  await openStudio(page);
  const button = page.getByRole('button', { name: 'Load demo' });
  await expect(button).toBeEnabled();
  await button.click();
  for (const name of ['base', 'mnist', 'fashion']) {
    await expect(checkpointRow(page, name).locator('[data-col="tensors"]')).toHaveText('3');
  }
  await expect(checkpointRow(page, 'base').getByRole('radio')).toBeChecked();
  await expect(page.getByLabel('Task-specific tensors')).toHaveValue('decoders.');
});

test('?demo in the URL loads the demo zoo at startup', async ({ page }) => {
  await serveZoo(page);
  await openStudio(page, '/?demo');
  for (const name of ['base', 'mnist', 'fashion']) {
    await expect(checkpointRow(page, name).locator('[data-col="tensors"]')).toHaveText('3');
  }
  // Exactly once, even under StrictMode's double effects: no "base (2)" row.
  await expect(page.locator('[data-testid="checkpoint-row"]')).toHaveCount(3);
  await expect(page.getByLabel('Task-specific tensors')).toHaveValue('decoders.');
});
