/**
 * EMR on the CLIP demo (`/?demo=clip`): Results scores each task with its own modulated tower,
 * θ₀ + λₜ·mₜ⊙(merged − θ₀), built from the two files the page offers (the merge and its
 * modulators); here the same towers are built from those downloads and scored by the CLI's
 * `eval --json`, task by task, and the unified model beside them.
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modulatedEncoder, readModulators } from '../src/eval';
import { memorySource } from '../src/io';
import { paramsFromBytes, paramsToBytes } from '../src/merge/params';
import type { ClipZooWeb } from '../src/worker/demo/clip-manifest';
import type { Accuracies } from './helpers/cliEval';
import {
  CLIP_ZOO,
  cliOnTower,
  finetuneName,
  openClipDemo,
  percentCells,
  readClipZoo,
  resultsTable,
} from './helpers/clipDemo';
import { downloadMerged, mergeAndWait } from './helpers/studio';

let web: ClipZooWeb;
let dir = '';

test.describe.configure({ timeout: 900_000 });
test.beforeAll(async () => {
  web = await readClipZoo();
  dir = await mkdtemp(join(tmpdir(), 'ui-emr-'));
});
test.afterAll(() => rm(dir, { recursive: true, force: true }));

/** Each task's own modulated tower, built from the downloads and scored by the CLI on its task. */
async function cliPerTask(merged: Uint8Array, modulatorBytes: Uint8Array): Promise<Accuracies> {
  const params = await paramsFromBytes(merged, 'merged.safetensors');
  const modulators = await readModulators(
    memorySource(modulatorBytes, 'merged.emr_modulators.safetensors'),
    params,
  );
  // θ₀: the CLIP base the merge was made on, straight from the zoo's file.
  const baseFile = join(CLIP_ZOO, web.base.folder, 'model.safetensors');
  const theta0 = await paramsFromBytes(new Uint8Array(await readFile(baseFile)), 'base');
  const out: Accuracies = {};
  for (const task of web.tasks) {
    const own = { name: task.name, checkpoint: finetuneName(task) };
    const tower = await paramsToBytes(modulatedEncoder(params, modulators, theta0, own));
    Object.assign(out, await cliOnTower(web, dir, tower, [task]));
  }
  return out;
}

test('an EMR merge gets a per-task-modulators row equal to the CLI on each modulated tower', async ({
  page,
}) => {
  await openClipDemo(page, web);
  await page.getByLabel('Merge method', { exact: true }).selectOption('emr');
  await mergeAndWait(page);
  const merged = await downloadMerged(page);
  const modulators = await downloadMerged(page, 'merged.emr_modulators.safetensors');
  // The CLI scores the downloads while the page evaluates.
  const cli = Promise.all([cliPerTask(merged, modulators), cliOnTower(web, dir, merged)]);

  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  const table = resultsTable(page);
  const emr = table.getByRole('row', { name: /^#\d+ EMR .* — per-task modulators/ });
  const unified = table.getByRole('row', { name: /^#\d+ EMR .* — unified model, no modulators/ });
  await expect(unified).toBeVisible({ timeout: 300_000 });
  await expect(emr).toBeVisible();
  await expect(page.getByTestId('results-meaning')).toContainText('its own 1-bit mask');

  const [perTask, plain] = await cli;
  console.log(
    `EMR on CLIP, CLI: per task ${JSON.stringify(perTask)}, unified ${JSON.stringify(plain)}`,
  );
  await expect(emr.locator('td')).toHaveText(percentCells(perTask, web));
  await expect(unified.locator('td')).toHaveText(percentCells(plain, web));
  // The modulators matter on this zoo: a row that ignored them would fail above.
  expect(web.tasks.some((t) => perTask[t.name] !== plain[t.name])).toBe(true);
});
