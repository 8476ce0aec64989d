/**
 * AdaMerging from the main panels on the CLIP demo (`/?demo=clip`): layer-wise λ learned on
 * the eight vision towers' test sets, live charts and heatmap, the learned merge in Results and
 * exported as a checkpoint and a recipe whose λ reproduce it from the zoo's own files; with
 * evaluation on wasm the step still runs on the fused WebGPU kernels; pause, resume, cancel.
 */
import { test, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Params } from '../src/core';
import { paramsFromBytes } from '../src/merge/params';
import { CLIP_UNMERGED } from '../src/models';
import type { ClipZooWeb } from '../src/worker/demo/clip-manifest';
import { CLIP_ZOO, finetuneName, openClipDemo, readClipZoo } from './helpers/clipDemo';
import { dropFiles } from './helpers/drop';
import { checkpointRow, screenshot } from './helpers/studio';

let web: ClipZooWeb;
let base: Params;

test.describe.configure({ timeout: 900_000 });
test.beforeAll(async () => {
  web = await readClipZoo();
  base = await zooParams(web.base.folder);
});

async function zooParams(folder: string): Promise<Params> {
  const bytes = await readFile(join(CLIP_ZOO, folder, 'model.safetensors'));
  return paramsFromBytes(new Uint8Array(bytes), folder);
}

/** The tensors AdaMerging merges: the base's, less CLIP's unmerged parts (text tower, …). */
const mergedNames = () =>
  [...base.keys()].filter((n) => !CLIP_UNMERGED.some((prefix) => n.startsWith(prefix)));

const stepOf = async (page: Page) =>
  Number(/Step (\d+)/.exec(await page.getByTestId('ada-status').innerText())?.[1] ?? NaN);

const adaRow = (page: Page) =>
  page
    .getByRole('region', { name: 'Results' })
    .getByTestId('results-table')
    .getByRole('row', { name: /AdaMerging layer-wise/ });

interface AdaRecipe {
  merge_method: string;
  base_model: string;
  models: { model: string; parameters: { weight: { filter: string; value: number }[] } }[];
}

async function download(page: Page, click: () => Promise<void>): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return new Uint8Array(await readFile(await file.path()));
}

/**
 * Every merged tensor of the export is θ₀ + Σₜ λₜ,tensor·τₜ with the recipe's λ (rounded to
 * 1e-6 there), θ₀ and θₜ straight from the zoo's files; the rest is the base's. Returns how many
 * tensors learned a λ away from the initial 0.3.
 */
async function checkExport(exported: Params, recipe: AdaRecipe): Promise<number> {
  const tuned = await Promise.all(recipe.models.map((m) => zooParams(m.model)));
  let worst = 0;
  let moved = 0;
  for (const name of mergedNames()) {
    const theta0 = base.get(name)!;
    const out = exported.get(name);
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
  for (const [name, tensor] of base) {
    if (mergedNames().includes(name) || !exported.has(name)) continue;
    expect(Array.from(exported.get(name)!.data), name).toEqual(Array.from(tensor.data));
  }
  return moved;
}

test('layer-wise AdaMerging streams live charts and adds its merge to the results', async ({
  page,
}) => {
  await openClipDemo(page, web);
  await page.getByLabel('Steps', { exact: true }).fill('20');
  await page.getByLabel('Evaluate every').fill('10');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  const status = page.getByTestId('ada-status');
  await expect(status).toContainText('Done', { timeout: 600_000 });
  await expect(status).toContainText('Step 20');
  await expect(status).toHaveAttribute('data-engine', 'fused-webgpu');

  // Tasks × merged tensors (the base's vision tower, from its file).
  await expect(page.getByTestId('lambda-heatmap').locator('.heatmap__cell')).toHaveCount(
    web.tasks.length * mergedNames().length,
  );
  await expect(page.locator('.ada-chart .recharts-line')).not.toHaveCount(0);
  await expect(adaRow(page)).toContainText('(20 steps)');
  const cells = await adaRow(page).locator('td').allInnerTexts();
  expect(cells).toHaveLength(web.tasks.length + 1);
  for (const cell of cells) expect(cell).toMatch(/^\d+\.\d%$/);
  await screenshot(page, 'adamerging');

  // The learned merge exports like any merge: the checkpoint, and its recipe with λ per tensor.
  const exported = page.getByTestId('ada-export');
  const bytes = await download(page, () =>
    exported.getByRole('link', { name: /Download the AdaMerging model/ }).click(),
  );
  const yaml = await download(page, () =>
    exported.getByRole('button', { name: 'AdaMerging recipe (YAML)' }).click(),
  );
  const recipe = parse(new TextDecoder().decode(yaml)) as AdaRecipe;
  expect(recipe.merge_method).toBe('task_arithmetic');
  expect(recipe.base_model).toBe(web.base.folder);
  expect(recipe.models.map((m) => m.model).sort()).toEqual(web.tasks.map(finetuneName).sort());
  for (const m of recipe.models)
    expect(m.parameters.weight.map((w) => w.filter).sort()).toEqual(mergedNames().sort());
  const merged = await paramsFromBytes(bytes, 'exported');
  const moved = await checkExport(merged, recipe);
  expect(moved, 'λ learned away from the initial 0.3 on some tensors').toBeGreaterThan(0);

  // …and loads back into the studio.
  await dropFiles(page.getByTestId('drop-zone'), [{ name: 'ada.safetensors', bytes }]);
  const reloaded = checkpointRow(page, 'ada.safetensors');
  await expect(reloaded.getByText('Loaded', { exact: true })).toBeVisible();
  await expect(reloaded.locator('[data-col="tensors"]')).toHaveText(String(merged.size));
});

test('with evaluation on wasm (?tf=wasm), λ is still learned on the fused WebGPU step', async ({
  page,
}) => {
  await openClipDemo(page, web, '/?demo=clip&tf=wasm');
  await page.getByLabel('Steps', { exact: true }).fill('10');
  await page.getByLabel('Evaluate every').fill('5');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  const status = page.getByTestId('ada-status');
  await expect(status).toContainText('Done', { timeout: 600_000 });
  await expect(status).toContainText('Step 10');
  await expect(status).toHaveAttribute('data-engine', 'fused-webgpu');
  await expect(status).toContainText('Learned on WebGPU (fused kernels)');
  await expect(page.getByTestId('eval-backend')).toHaveAttribute('data-backend', 'wasm');
  // The evaluations (tfjs on wasm) scored the learned merge: the results row is there.
  await expect(adaRow(page)).toContainText('(10 steps)');
  const cells = await adaRow(page).locator('td').allInnerTexts();
  expect(cells).toHaveLength(web.tasks.length + 1);
  for (const cell of cells) expect(cell).toMatch(/^\d+\.\d%$/);
});

test('AdaMerging pauses, resumes and cancels between steps', async ({ page }) => {
  await openClipDemo(page, web);
  await page.getByLabel('Steps', { exact: true }).fill('5000');
  await page.getByLabel('Evaluate every').fill('0');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  await expect.poll(() => stepOf(page), { timeout: 300_000 }).toBeGreaterThan(2);
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
  await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBeGreaterThan(settled);
  await page.getByRole('button', { name: 'Cancel AdaMerging' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Cancelled.');
  await expect(page.getByRole('button', { name: 'Run AdaMerging' })).toBeEnabled();
});
