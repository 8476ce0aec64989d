/**
 * The studio's main panels on the CLIP demo (`/?demo=clip`, the README's URL): the CLIP panel's
 * checkpoints fill the checkpoint table (base + eight vision towers, CLIP's unmerged parts as
 * the task-specific filter); a TIES merge from the main Run panel, scored by Results' Evaluate,
 * shows exactly what the CLI's `eval --json` gives on the downloaded merge; the zero-shot row
 * equals the CLIP panel's; moving the Live λ slider shows a fresh estimate, then the full sets.
 * One page load (the full zoo takes ~26 s to fetch and load) serves all of it.
 */
import { test, expect, type Locator } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memorySource, openSafetensors } from '../src/io';
import type { ClipZooWeb } from '../src/worker/demo/clip-manifest';
import { cliOnTower, openClipDemo, percentCells, readClipZoo } from './helpers/clipDemo';
import { checkpointRow, downloadMerged, mergeAndWait, screenshot } from './helpers/studio';

let web: ClipZooWeb;
let dir = '';

// The full zoo under a loaded machine (another job beside it) takes minutes.
test.describe.configure({ timeout: 900_000 });
test.beforeAll(async () => {
  web = await readClipZoo();
  dir = await mkdtemp(join(tmpdir(), 'ui-clip-main-'));
});
test.afterAll(() => rm(dir, { recursive: true, force: true }));

const cellsOf = (row: Locator) => row.locator('td').allInnerTexts();

test('on the CLIP demo the main Run, Results and Live slider act on the CLIP checkpoints', async ({
  page,
}) => {
  const t0 = Date.now();
  const phase = (name: string) =>
    console.log(`${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  // The CLIP panel's zero-shot row is the one compared below; the rest of its job is cancelled.
  await openClipDemo(page, web);
  const clipTable = page.getByTestId('clip-results');
  phase('CLIP demo loaded, its zero-shot row shown');

  // The checkpoint table: the CLIP base and its fine-tunes, nothing of the v1 zoo.
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(1 + web.tasks.length);
  await expect(checkpointRow(page, 'clip-base')).toBeVisible();
  await expect(page.getByLabel('Task-specific tensors')).toHaveValue(/text_model\./);

  // TIES from the main method form (density 0.2 is the form's start) at λ 0.3, merged in memory.
  await page.getByLabel('Merge method', { exact: true }).selectOption('ties');
  await page.getByLabel('Lambda value', { exact: true }).fill('0.3');
  await mergeAndWait(page);
  const bytes = await downloadMerged(page);
  const file = await openSafetensors(memorySource(bytes, 'merged.safetensors'));
  expect(file.metadata['merge_recipe']).toContain('merge_method: ties');
  // The CLI scores the downloaded file while the page evaluates it.
  const cli = cliOnTower(web, dir, bytes);

  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  // The main Results panel's table (the CLIP panel shows its rows in the same component).
  const results = page.getByRole('region', { name: 'Results' }).getByTestId('results-table');
  await expect(results.locator('thead th')).toHaveText(
    ['Model', 'Average', ...web.tasks.map((t) => t.name)],
    { timeout: 120_000 },
  );
  const ties = results.locator('tr[data-method="ties"]');
  const want = await cli;
  phase('the CLI scored the downloaded merge');
  await expect(ties.locator('td')).toHaveText(percentCells(want, web), { timeout: 120_000 });
  // Zero-shot and individual rows follow; zero-shot is what the CLIP panel shows.
  await expect(results.locator('tr[data-method="individual"] td')).toHaveCount(
    web.tasks.length + 1,
    { timeout: 120_000 },
  );
  expect(await cellsOf(results.locator('tr[data-method="base"]'))).toEqual(
    await cellsOf(clipTable.locator('tr[data-method="base"]')),
  );
  await expect(page.getByTestId('evaluation-progress')).toHaveCount(0);
  phase('Results: merge, zero-shot and individual rows');

  // Live: task arithmetic, then a drag of the λ slider re-estimates on the CLIP tasks.
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel('Live: re-merge and evaluate on every change').check();
  const status = page.getByTestId('live-status');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 1\b/, { timeout: 120_000 });
  phase('Live run 1 on the full sets');
  const live = results.locator('tr[data-method="live"]');
  const before = await cellsOf(live);
  await page.evaluate(`(() => {
    window.__liveTexts = [];
    const table = document.querySelector('.area-results [data-testid="results-table"]');
    new MutationObserver(() => {
      const row = table.querySelector('tr[data-method="live"]');
      if (row) window.__liveTexts.push(row.textContent);
    }).observe(table, { subtree: true, childList: true, characterData: true });
  })()`);
  const slider = page.getByRole('slider', { name: 'Lambda', exact: true });
  await slider.scrollIntoViewIfNeeded();
  const box = (await slider.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.15, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(status).toHaveText(/Updated in \d+ ms \(run 2\b/, { timeout: 120_000 });
  const texts = await page.evaluate(
    () => (window as unknown as { __liveTexts: string[] }).__liveTexts,
  );
  expect(
    texts.some((t) => /estimate · \d+\/task/.test(t)),
    JSON.stringify(texts),
  ).toBe(true);
  const testCount = Math.max(...web.tasks.map((t) => t.data.files.length));
  await expect(live).toContainText(`${testCount}/task`);
  expect(await cellsOf(live), 'another λ, other accuracies').not.toEqual(before);
  console.log(`CLIP live update after slider release: ${await status.innerText()}`);
  await screenshot(page, 'clip-main-panels');
});
