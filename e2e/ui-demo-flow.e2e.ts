/**
 * The studio's whole story on the CLIP demo zoo (public/clip-zoo), in Chromium with WebGPU:
 * load demo → task arithmetic → 8 accuracies → move a slider (Live) → numbers change →
 * 30 AdaMerging steps (charts ≥ 30 points, heatmap moved) → export model + recipe → re-load
 * the model. A screenshot per stage lands in test-results/screens/flow-*.png.
 *
 * Merges run on the WebGPU kernels, and so does AdaMerging's step (the fused engine, on the
 * worker's device). Evaluation runs on tfjs-wasm (`?tf=wasm`): on this machine's software
 * adapter (lavapipe) tfjs's own WebGPU kernels are far slower than wasm (docs/bench.md).
 */
import { test, expect, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { finetuneName, openClipDemo, readClipZoo, resultsTable } from './helpers/clipDemo';
import { dropFiles } from './helpers/drop';
import { checkpointRow, mergeAndWait, screenshot } from './helpers/studio';

const FLOW_URL = '/?demo=clip&tf=wasm';

test.setTimeout(15 * 60_000);

const percents = async (row: Locator): Promise<number[]> =>
  (await row.locator('td').allInnerTexts())
    .filter((t) => /^\d+(\.\d+)?%$/.test(t.trim()))
    .map((t) => Number(t.replace('%', '')));

const heatmapShades = (page: Page) =>
  page
    .getByTestId('lambda-heatmap')
    .locator('.heatmap__cell')
    .evaluateAll((cells) => cells.map((c) => (c as HTMLElement).style.background));

test('demo flow: load, merge, evaluate, explore, AdaMerging, export, re-load', async ({ page }) => {
  const web = await readClipZoo();
  const taskCount = web.tasks.length;
  const testCount = Math.max(...web.tasks.map((t) => t.data.files.length));
  expect(taskCount).toBe(8);

  // 1. Load the demo.
  await openClipDemo(page, web, FLOW_URL);
  await expect(page.getByRole('banner')).toContainText('WebGPU');
  for (const t of web.tasks) {
    await expect(
      checkpointRow(page, finetuneName(t)).getByText('Loaded', { exact: true }),
    ).toBeVisible();
  }
  await screenshot(page, 'flow-1-loaded');

  // 2. Task arithmetic, merged on WebGPU, evaluated: 8 accuracies.
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  // The zoo's own swept λ (the papers' 0.3 hurts on this zoo: docs/zoo-v2.md).
  await page.getByLabel('Lambda value', { exact: true }).fill(String(web.demoLambda));
  await mergeAndWait(page);
  await expect(page.getByTestId('merge-summary')).toContainText('on WebGPU');
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  const table = resultsTable(page);
  const ta = table.getByRole('row', { name: /#\d+ Task Arithmetic/ }).last();
  await expect(ta).toBeVisible({ timeout: 300_000 });
  const taNumbers = await percents(ta);
  expect(taNumbers).toHaveLength(taskCount + 1); // 8 tasks, then the average
  await screenshot(page, 'flow-2-task-arithmetic');

  // 3. Live: move a slider, the numbers change.
  await page.getByLabel('Live: re-merge and evaluate on every change').check();
  const status = page.getByTestId('live-status');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 1\b/, { timeout: 300_000 });
  const live = table.getByRole('row', { name: /^Live: / });
  const before = await percents(live);
  await expect(live).toContainText(`${testCount}/task`); // run 1 ended on the full sets
  // Every text the Live row takes, recorded in the page (the estimate is on screen briefly).
  await page.evaluate(`(() => {
    window.__liveTexts = [];
    const table = document.querySelector('.area-results [data-testid="results-table"]');
    new MutationObserver(() => {
      const row = [...table.querySelectorAll('tr')].find((r) => r.textContent.trimStart().startsWith('Live:'));
      if (row) window.__liveTexts.push(row.textContent);
    }).observe(table, { subtree: true, childList: true, characterData: true });
  })()`);
  const slider = page.getByRole('slider', { name: /^Weight of / }).first();
  await slider.scrollIntoViewIfNeeded(); // mouse coordinates are the viewport's
  const box = (await slider.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.66, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(status).toHaveText(/Updated in \d+ ms \(run 2\b/, { timeout: 300_000 });
  const after = await percents(live);
  expect(after).toHaveLength(taskCount + 1);
  // First a labelled estimate on a subset, then the full test sets replace it.
  const texts = await page.evaluate(
    () => (window as unknown as { __liveTexts: string[] }).__liveTexts,
  );
  const subset = /estimate · (\d+)\/task/.exec(texts.find((t) => t.includes('estimate')) ?? '');
  expect(subset, `an estimate row among ${JSON.stringify(texts)}`).not.toBeNull();
  expect(Number(subset![1])).toBeLessThan(testCount);
  await expect(live).toContainText(`${testCount}/task`);
  await expect(live).not.toContainText('estimate');
  expect(after, 'a much smaller weight for one task changes the accuracies').not.toEqual(before);
  console.log(`live update after slider release: ${await status.innerText()}`);
  await screenshot(page, 'flow-3-slider');
  await page.getByLabel('Live: re-merge and evaluate on every change').uncheck();

  // 4. 30 AdaMerging steps: charts with ≥ 30 points, the λ heatmap moved off its start.
  await page.getByLabel('Steps', { exact: true }).fill('30');
  await page.getByLabel('Evaluate every').fill('15');
  const started = Date.now();
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  const ada = page.getByTestId('ada-status');
  await expect(page.getByTestId('lambda-heatmap')).toBeVisible({ timeout: 120_000 });
  const firstShades = await heatmapShades(page);
  await expect(ada).toContainText('Done', { timeout: 12 * 60_000 });
  console.log(`30 AdaMerging steps + evaluations: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await expect(ada).toContainText('Step 30');
  await expect(ada).toHaveAttribute('data-engine', 'fused-webgpu'); // even with ?tf=wasm
  const points = Number(await page.getByTestId('entropy-chart').getAttribute('data-points'));
  expect(points).toBeGreaterThanOrEqual(30);
  const lastShades = await heatmapShades(page);
  expect(lastShades.length).toBe(firstShades.length);
  expect(lastShades).not.toEqual(firstShades);
  await expect(table.getByRole('row', { name: /AdaMerging layer-wise/ })).toBeVisible();
  await screenshot(page, 'flow-4-adamerging');

  // 5. Export the model and the recipe, then load the model back.
  await mergeAndWait(page);
  const tensors = /(\d+) \(/.exec(await page.getByTestId('merge-summary').innerText())?.[1];
  const [model] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download merged.safetensors' }).click(),
  ]);
  const modelBytes = readFileSync(await model.path());
  const [recipeFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Recipe (YAML)', exact: true }).click(),
  ]);
  const recipe = parse(readFileSync(await recipeFile.path(), 'utf8')) as {
    merge_method: string;
    base_model: string;
    models: { model: string; parameters?: { weight?: number } }[];
  };
  expect(recipe.merge_method).toBe('task_arithmetic');
  expect(recipe.base_model).toBe(web.base.folder);
  expect(recipe.models).toHaveLength(taskCount);
  // The dragged slider's value is in the recipe (the only per-model value changed).
  const dragged = recipe.models.filter((m) => m.parameters?.weight !== undefined);
  expect(dragged).toHaveLength(1);
  expect(dragged[0]!.parameters!.weight).toBeLessThan(1);

  await dropFiles(page.getByTestId('drop-zone'), [
    { name: 'reloaded.safetensors', bytes: modelBytes },
  ]);
  const reloaded = checkpointRow(page, 'reloaded.safetensors');
  await expect(reloaded.getByText('Loaded', { exact: true })).toBeVisible();
  await expect(reloaded.locator('[data-col="tensors"]')).toHaveText(tensors!);
  await screenshot(page, 'flow-5-exported-reloaded');
});
