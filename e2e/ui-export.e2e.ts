import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { decodeShared } from '../app/features/export/shareState';
import { dropFiles } from './helpers/drop';
import { trio } from './helpers/models';
import { checkpointRow, openStudio } from './helpers/studio';

async function setUpTies(page: import('@playwright/test').Page): Promise<void> {
  await dropFiles(page.getByTestId('drop-zone'), trio());
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(3);
  await page.getByLabel('Merge method', { exact: true }).selectOption('ties');
  await page.getByLabel('Lambda value', { exact: true }).fill('0.3');
  // 0.4, not the form's initial 0.2: a changed value the link has to carry.
  await page.getByLabel('Density of fashion.safetensors value').fill('0.4');
  await page.getByLabel('Seed', { exact: true }).fill('9');
}

test('the recipe exports as mergekit YAML with the chosen values', async ({ page }) => {
  await openStudio(page);
  await setUpTies(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Recipe (YAML)' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('merge_recipe.yml');
  const recipe = parse(readFileSync(await download.path(), 'utf8')) as Record<string, unknown>;
  expect(recipe).toMatchObject({
    merge_method: 'ties',
    base_model: 'base.safetensors',
    // mnist keeps the form's initial TIES density (0.2); it is written, being no default.
    models: [
      { model: 'mnist.safetensors', parameters: { density: 0.2 } },
      { model: 'fashion.safetensors', parameters: { density: 0.4 } },
    ],
    parameters: { lambda: 0.3 },
    random_seed: 9,
  });
});

test('the URL reproduces the settings once the same files are loaded', async ({
  page,
  context,
}) => {
  await openStudio(page);
  await setUpTies(page);
  await checkpointRow(page, 'mnist.safetensors').getByRole('radio').check();
  // The fragment is written shortly after the last change: wait until it holds all of them.
  const shared = () => decodeShared(new URL(page.url()).hash);
  await expect.poll(() => shared()?.base).toBe('mnist.safetensors');
  expect(shared()).toMatchObject({ method: 'ties', global: { lambda: 0.3 }, seed: 9 });
  expect(shared()?.models['fashion.safetensors']).toEqual({ density: 0.4 });
  const url = page.url();

  const second = await context.newPage();
  await openStudio(second, url.slice(url.indexOf('/', 'http://'.length)));
  await expect(second.getByLabel('Merge method', { exact: true })).toHaveValue('ties');
  await expect(second.getByLabel('Lambda value', { exact: true })).toHaveValue('0.3');
  await expect(second.getByLabel('Seed', { exact: true })).toHaveValue('9');
  await dropFiles(second.getByTestId('drop-zone'), trio());
  await expect(second.getByLabel('Density of fashion.safetensors value')).toHaveValue('0.4');
  // mnist is the base here; base.safetensors is merged, at the initial density.
  await expect(second.getByLabel('Density of base.safetensors value')).toHaveValue('0.2');
  await expect(checkpointRow(second, 'mnist.safetensors').getByRole('radio')).toBeChecked();
});
