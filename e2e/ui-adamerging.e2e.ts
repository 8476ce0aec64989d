import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { paramsFromBytes } from '../src/merge/params';
import { dropFiles } from './helpers/drop';
import { buildMiniZoo, serveMiniZoo, type MiniZoo } from './helpers/miniZoo';
import { checkpointRow, openStudio, v1Demo, screenshot } from './helpers/studio';

let zoo: MiniZoo;
test.beforeAll(async () => {
  zoo = await buildMiniZoo();
});

async function loadDemo(page: Page, path = '/'): Promise<void> {
  await serveMiniZoo(page, zoo.files);
  await openStudio(page, v1Demo(path));
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
}

const stepOf = async (page: Page) =>
  Number(/Step (\d+)/.exec(await page.getByTestId('ada-status').innerText())?.[1] ?? NaN);

test('layer-wise AdaMerging streams live charts and adds its merge to the results', async ({
  page,
}) => {
  await loadDemo(page);
  await page.getByLabel('Steps', { exact: true }).fill('20');
  await page.getByLabel('Evaluate every').fill('10');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  const status = page.getByTestId('ada-status');
  await expect(status).toContainText('Done', { timeout: 150_000 });
  await expect(status).toContainText('Step 20');
  await expect(status).toHaveAttribute('data-engine', 'fused-webgpu');

  // Tasks × merged tensors: 2 tasks × the 18 encoder tensors of the mini ViT (depth 1).
  await expect(page.getByTestId('lambda-heatmap').locator('.heatmap__cell')).toHaveCount(2 * 18);
  await expect(page.locator('.ada-chart .recharts-line')).not.toHaveCount(0);
  const row = page.getByTestId('results-table').getByRole('row', { name: /AdaMerging layer-wise/ });
  await expect(row).toContainText('(20 steps)');
  for (const cell of await row.locator('td').allInnerTexts()) expect(cell).toMatch(/^\d+\.\d%$/);
  await screenshot(page, 'adamerging');

  // The learned merge exports like any merge: the checkpoint, and its recipe with λ per tensor.
  const exported = page.getByTestId('ada-export');
  const [modelFile] = await Promise.all([
    page.waitForEvent('download'),
    exported.getByRole('link', { name: /Download the AdaMerging model/ }).click(),
  ]);
  const bytes = new Uint8Array(readFileSync(await modelFile.path()));
  const [recipeFile] = await Promise.all([
    page.waitForEvent('download'),
    exported.getByRole('button', { name: 'AdaMerging recipe (YAML)' }).click(),
  ]);
  const recipe = parse(readFileSync(await recipeFile.path(), 'utf8')) as {
    merge_method: string;
    base_model: string;
    models: { model: string; parameters: { weight: { filter: string; value: number }[] } }[];
  };
  expect(recipe.merge_method).toBe('task_arithmetic');
  expect(recipe.base_model).toBe('base.safetensors');

  // Every encoder tensor is θ₀ + Σₜ λₜ,tensor·τₜ with the recipe's λ (rounded to 1e-6 there);
  // θ₀ and θₜ come straight from the zoo's files, the arithmetic is done here.
  const merged = await paramsFromBytes(bytes, 'exported');
  const base = await paramsFromBytes(zoo.files.get('base.safetensors')!, 'base');
  const tuned = await Promise.all(
    recipe.models.map((m) => paramsFromBytes(zoo.files.get(m.model)!, m.model)),
  );
  expect(recipe.models.map((m) => m.model).sort()).toEqual([
    'alpha.safetensors',
    'beta.safetensors',
  ]);
  let worst = 0;
  let moved = 0;
  for (const [name, theta0] of base) {
    const out = merged.get(name);
    expect(out, name).toBeDefined();
    const lambdas = recipe.models.map(
      (m) => m.parameters.weight.find((w) => w.filter === name)!.value,
    );
    if (lambdas.some((l) => Math.abs(l - 0.3) > 1e-3)) moved++;
    theta0.data.forEach((v, i) => {
      const want = lambdas.reduce((acc, l, k) => acc + l * (tuned[k]!.get(name)!.data[i]! - v), v);
      worst = Math.max(worst, Math.abs(out!.data[i]! - want));
    });
  }
  expect(worst).toBeLessThan(1e-4);
  expect(moved, 'λ learned away from the initial 0.3 on some tensors').toBeGreaterThan(0);
  for (const task of ['alpha', 'beta']) {
    expect(Array.from(merged.get(`heads.${task}.weight`)!.data)).toEqual(
      Array.from(
        tuned[recipe.models.findIndex((m) => m.model === `${task}.safetensors`)]!.get(
          `heads.${task}.weight`,
        )!.data,
      ),
    );
  }

  // …and loads back into the studio.
  await dropFiles(page.getByTestId('drop-zone'), [{ name: 'ada.safetensors', bytes }]);
  const reloaded = checkpointRow(page, 'ada.safetensors');
  await expect(reloaded.getByText('Loaded', { exact: true })).toBeVisible();
  await expect(reloaded.locator('[data-col="tensors"]')).toHaveText(String(merged.size));
});

test('with evaluation on wasm (?tf=wasm), λ is still learned on the fused WebGPU step', async ({
  page,
}) => {
  await loadDemo(page, '/?tf=wasm');
  await page.getByLabel('Steps', { exact: true }).fill('10');
  await page.getByLabel('Evaluate every').fill('5');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  const status = page.getByTestId('ada-status');
  await expect(status).toContainText('Done', { timeout: 150_000 });
  await expect(status).toContainText('Step 10');
  await expect(status).toHaveAttribute('data-engine', 'fused-webgpu');
  await expect(status).toContainText('Learned on WebGPU (fused kernels)');
  // The evaluations (tfjs on wasm) scored the learned merge: the results row is there.
  const row = page.getByTestId('results-table').getByRole('row', { name: /AdaMerging layer-wise/ });
  await expect(row).toContainText('(10 steps)');
  for (const cell of await row.locator('td').allInnerTexts()) expect(cell).toMatch(/^\d+\.\d%$/);
});

test('AdaMerging pauses, resumes and cancels between steps', async ({ page }) => {
  await loadDemo(page);
  await page.getByLabel('Steps', { exact: true }).fill('5000');
  await page.getByLabel('Evaluate every').fill('0');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  await expect.poll(() => stepOf(page)).toBeGreaterThan(2);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Paused.');
  const paused = await stepOf(page);
  await page.waitForTimeout(1000);
  // At most the steps already on the device: the fused engine reads one step's numbers while
  // the next is queued behind it.
  const settled = await stepOf(page);
  expect(settled).toBeLessThanOrEqual(paused + 2);
  await page.waitForTimeout(1000);
  expect(await stepOf(page), 'no step after the pause settled').toBe(settled);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => stepOf(page)).toBeGreaterThan(settled);
  await page.getByRole('button', { name: 'Cancel AdaMerging' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Cancelled.');
  await expect(page.getByRole('button', { name: 'Run AdaMerging' })).toBeEnabled();
});
