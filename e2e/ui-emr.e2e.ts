import { test, expect, type Locator } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { evaluateEncoder, evaluateWithModulators, readEncoder } from '../src/eval';
import { memorySource } from '../src/io';
import { loadZoo } from '../src/zoo';
import { buildMiniZoo, serveMiniZoo, type MiniZoo } from './helpers/miniZoo';
import { openStudio, v1Demo } from './helpers/studio';

let zoo: MiniZoo;
test.beforeAll(async () => {
  zoo = await buildMiniZoo();
});

/** The mini zoo as a folder, for the CLI's own loader. */
function zooFolder(files: Map<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'emr-zoo-'));
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return join(dir, 'manifest.json');
}

const percents = async (row: Locator) =>
  (await row.locator('td').allInnerTexts()).slice(1).map((t) => Number(t.replace('%', '')) / 100);

async function downloaded(summary: Locator, name: string): Promise<Uint8Array> {
  const [download] = await Promise.all([
    summary.page().waitForEvent('download'),
    summary.getByRole('link', { name: `Download ${name}` }).click(),
  ]);
  return new Uint8Array(readFileSync(await download.path()));
}

// EMR in the page: Results scores each task with its own modulated model, as the CLI's
// `eval --modulators` does with the modulators file the page offers beside the merge.
test('an EMR merge gets a per-task-modulators row equal to eval --modulators', async ({ page }) => {
  await serveMiniZoo(page, zoo.files);
  await openStudio(page, v1Demo());
  const table = page.getByTestId('results-table');
  await expect(table.locator('tr[data-method="individual"]')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('evaluation-progress')).toHaveCount(0);

  await page.getByLabel('Merge method', { exact: true }).selectOption('emr');
  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Merged.');
  const summary = page.getByTestId('merge-summary');
  const merged = await downloaded(summary, 'merged.safetensors');
  const modulators = await downloaded(summary, 'merged.emr_modulators.safetensors');

  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  const emr = table.getByRole('row', {
    name: '#2 EMR (elect, mask, rescale) — per-task modulators',
  });
  const unified = table.getByRole('row', { name: /^#2 EMR .* — unified model, no modulators/ });
  await expect(unified).toBeVisible({ timeout: 60_000 });
  await expect(emr).toBeVisible();
  await expect(page.getByTestId('results-meaning')).toContainText('its own 1-bit mask');

  const loaded = await loadZoo(zooFolder(zoo.files));
  const encoder = await readEncoder(memorySource(merged, 'merged'), loaded.manifest.model.config);
  const mods = memorySource(modulators, 'merged.emr_modulators.safetensors');
  const cli = await evaluateWithModulators('cli', encoder, mods, loaded);
  const plain = await evaluateEncoder('plain', encoder, loaded);
  const tasks = loaded.manifest.tasks.map((t) => t.name);
  const [got, gotUnified] = [await percents(emr), await percents(unified)];
  console.log(
    `EMR: page ${JSON.stringify(got)} / ${JSON.stringify(gotUnified)}, CLI ${JSON.stringify(cli.perTask)} / ${JSON.stringify(plain.perTask)}`,
  );
  // The page's tfjs backend is not the CLI's cpu: allow one image of 40 per task.
  tasks.forEach((t, i) => expect(Math.abs(got[i]! - cli.perTask[t]!)).toBeLessThanOrEqual(0.025));
  tasks.forEach((t, i) =>
    expect(Math.abs(gotUnified[i]! - plain.perTask[t]!)).toBeLessThanOrEqual(0.025),
  );
  // The modulators matter on this zoo: a row that ignored them would fail above.
  expect(tasks.some((t) => Math.abs(cli.perTask[t]! - plain.perTask[t]!) > 0.025)).toBe(true);
});
