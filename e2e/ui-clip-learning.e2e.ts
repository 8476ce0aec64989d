/**
 * The main panels' learning methods on the CLIP demo (`/?demo=clip`, base + 8 towers), as a
 * visitor runs them (issue #16): AdaMerging++ from the AdaMerging panel exports the TIES recipe
 * ++ stands for; the accuracy-per-task chart fills with the evaluations during learning, and
 * its last point shows what the Results row of the final λ shows; an EMR merge from the method
 * form gets its per-task-modulators row in Results beside (and unlike) the unified model's.
 * One page load (the demo's fetch and load is most of the time) serves the three tests.
 */
import { test, expect, type Locator, type Page } from '@playwright/test';
import { mergeAndWait } from './helpers/studio';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memorySource, openSafetensors } from '../src/io';
import { parseRecipe, type ConditionalSetting } from '../src/merge';
import { paramsFromBytes } from '../src/merge/params';
import type { ClipZooWeb } from '../src/worker/demo/clip-manifest';
import { tooltipAtLastPoint } from './helpers/charts';
import { CLIP_ZOO, openClipDemo, readClipZoo } from './helpers/clipDemo';

let zoo: ClipZooWeb;
let page: Page;

// The zoo's load under a loaded machine (another e2e beside it) takes minutes.
test.describe.configure({ timeout: 300_000 });
test.beforeAll(async ({ browser }) => {
  test.setTimeout(420_000);
  zoo = await readClipZoo();
  page = await browser.newPage();
  await openClipDemo(page, zoo);
});
test.afterAll(() => page.close());

const PERCENT = /^\d+\.\d%$/;
const results = () => page.getByRole('region', { name: 'Results' }).getByTestId('results-table');
const adaPanel = () => page.getByRole('region', { name: 'AdaMerging', exact: true });
const cellsOf = (row: Locator) => row.locator('td').allInnerTexts();

/** Sets the AdaMerging panel's options (the store keeps them between the tests of this file). */
async function adaOptions(o: {
  mode: 'task' | 'layer';
  plus: boolean;
  steps: number;
  every: number;
  on: number;
}) {
  const panel = adaPanel();
  await panel.getByLabel('Coefficients').selectOption(o.mode);
  await panel.getByLabel('Steps', { exact: true }).fill(String(o.steps));
  await panel.getByLabel('Evaluate every').fill(String(o.every));
  await panel.getByLabel('Evaluate on (images/task, 0 = all)').fill(String(o.on));
  await panel.getByLabel('AdaMerging++ (TIES-selected task vectors)').setChecked(o.plus);
}

async function runAda(steps: number): Promise<void> {
  await adaPanel().getByRole('button', { name: 'Run AdaMerging' }).click();
  const status = page.getByTestId('ada-status');
  await expect(status).toContainText('Done', { timeout: 240_000 });
  await expect(status).toContainText(`Step ${steps} of ${steps}`);
}

async function download(trigger: Locator): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), trigger.click()]);
  return new Uint8Array(await readFile(await file.path()));
}

const modelLink = () =>
  page.getByTestId('ada-export').getByRole('link', { name: /Download the AdaMerging model/ });

/**
 * The share of the vision tower's entries a learned merge left exactly at θ₀. Task arithmetic
 * moves every entry a fine-tune moved (≈ none stay); ++'s TIES trim keeps the top 20 % of each
 * task vector, so entries no task kept, or whose kept values lost the sign election, stay put.
 */
async function shareLeftAtBase(merged: Uint8Array): Promise<number> {
  const base = await readFile(join(CLIP_ZOO, zoo.base.folder, 'model.safetensors'));
  const theta0 = await paramsFromBytes(new Uint8Array(base), 'base');
  const out = await paramsFromBytes(merged, 'merged');
  let same = 0;
  let all = 0;
  for (const [name, t] of theta0) {
    if (!name.startsWith('vision_model.')) continue;
    const m = out.get(name)!.data;
    t.data.forEach((v, i) => (same += m[i] === v ? 1 : 0));
    all += t.data.length;
  }
  return same / all;
}

test('AdaMerging++ on the CLIP towers exports the TIES-trimmed recipe ++ stands for', async () => {
  const t0 = Date.now();
  await adaOptions({ mode: 'layer', plus: true, steps: 3, every: 0, on: 100 });
  await runAda(3);
  console.log(`++ run (3 layer-wise steps, export, full-set row): ${(Date.now() - t0) / 1000} s`);
  const row = results().getByRole('row', { name: /AdaMerging layer-wise\+\+ \(3 steps\)/ });
  await expect(row.locator('td')).toHaveText(Array(zoo.tasks.length + 1).fill(PERCENT));

  const exported = page.getByTestId('ada-export');
  await expect(modelLink()).toHaveAccessibleName(/clip-adamerging-layer-wise-plus\.safetensors/);
  const bytes = await download(modelLink());
  const file = await openSafetensors(memorySource(bytes, 'ada.safetensors'));
  expect(file.metadata['merge_recipe']).toContain('merge_method: ties');
  const untouched = await shareLeftAtBase(bytes);
  console.log(`++ export: ${(untouched * 100).toFixed(1)} % of the tower's entries left at θ₀`);
  expect(untouched, 'the TIES trim acted on the exported tower').toBeGreaterThan(0.1);
  const yaml = await download(exported.getByRole('button', { name: 'AdaMerging recipe (YAML)' }));
  // The studio's own reader: its TIES settings sit under `merge_studio:`, which mergekit ignores.
  const { recipe } = parseRecipe(new TextDecoder().decode(yaml), 'ada.yml');
  // Plain AdaMerging would be task arithmetic with no density: the box was read.
  expect(recipe.mergeMethod).toBe('ties');
  expect(recipe.parameters).toMatchObject({
    trim_scope: 'model',
    disjoint: 'sum',
    zero_sign: 'majority',
    elect: 'unweighted',
  });
  const names = await page
    .getByTestId('checkpoint-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')!));
  expect(recipe.baseModel).toBe('clip-base');
  expect(recipe.models.map((m) => m.model).sort()).toEqual(
    names.filter((n) => n !== 'clip-base').sort(),
  );
  let moved = 0;
  for (const m of recipe.models) {
    expect(m.parameters.density).toBe(0.2);
    const weights = m.parameters.weight as ConditionalSetting[];
    expect(weights.length, 'one λ per merged tensor').toBeGreaterThan(1);
    moved += weights.filter((w) => Math.abs(Number(w.value) - 0.3) > 1e-4).length;
  }
  expect(moved, 'λ learned away from the initial 0.3').toBeGreaterThan(0);
});

/** Records the accuracy chart's point count at every change, with the run's status then. */
async function watchAccuracyChart(): Promise<() => Promise<{ points: number; status: string }[]>> {
  await page.evaluate(`(() => {
    window.__chartSeen = [];
    const note = () => {
      const chart = document.querySelector('figure[aria-label="Accuracy per task by step"]');
      const status = document.querySelector('[data-testid="ada-status"]')?.textContent ?? '';
      const points = Number(chart?.getAttribute('data-points') ?? 0);
      const last = window.__chartSeen.at(-1);
      if (!last || last.points !== points) window.__chartSeen.push({ points, status });
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ['data-points'],
    });
  })()`);
  return () =>
    page.evaluate(
      () =>
        (window as unknown as { __chartSeen: { points: number; status: string }[] }).__chartSeen,
    );
}

const percentOf = (text: string) => Number(text.replace('%', ''));

test('the accuracy chart fills while AdaMerging learns; its last point is the Results row', async () => {
  const t0 = Date.now();
  // Every step scored on the full test sets: the run's last evaluation is of the final λ on
  // exactly the images Results scores its row on.
  await adaOptions({ mode: 'task', plus: false, steps: 3, every: 1, on: 0 });
  const seen = await watchAccuracyChart();
  await runAda(3);
  console.log(`plain run (3 task-wise steps, 3 full evaluations): ${(Date.now() - t0) / 1000} s`);
  const chart = adaPanel().getByRole('figure', { name: 'Accuracy per task by step' });
  await expect(chart).toHaveAttribute('data-points', '3');
  const history = await seen();
  expect(
    history.some((h) => h.points >= 2 && h.status.startsWith('Running.')),
    `two points drawn while learning: ${JSON.stringify(history)}`,
  ).toBe(true);

  // The plain run's export, against ++'s above: task arithmetic moves (almost) every entry.
  const untouched = await shareLeftAtBase(await download(modelLink()));
  console.log(`plain export: ${(untouched * 100).toFixed(2)} % of the tower's entries left at θ₀`);
  expect(untouched).toBeLessThan(0.01);

  const reading = await tooltipAtLastPoint(chart);
  expect(reading.label).toBe('3');
  const row = results().getByRole('row', { name: /AdaMerging task-wise \(3 steps\)/ });
  const heads = (await results().locator('thead th').allInnerTexts()).slice(2);
  const cells = (await cellsOf(row)).slice(1);
  // (recharts lists a tooltip's items by name; the values are read by task name.)
  expect(Object.keys(reading.values).sort()).toEqual(zoo.tasks.map((t) => t.name).sort());
  expect(heads).toEqual(zoo.tasks.map((t) => t.name));
  const shown = heads.map((task) => percentOf(reading.values[task]!));
  const scored = cells.map(percentOf);
  console.log(`chart at step 3: ${shown.join(' ')}; Results row: ${scored.join(' ')}`);
  // The same images and λ, but the chart's tower is θ₀ + Σλτ on the device and the row's is
  // the engine's exported file (λ rounded to 1e-6): allow one image of 500 per task.
  shown.forEach((v, i) => expect(Math.abs(v - scored[i]!), heads[i]).toBeLessThanOrEqual(0.21));
});

test('an EMR merge on the CLIP towers gets a per-task-modulators row unlike the unified one', async () => {
  const t0 = Date.now();
  await page.getByLabel('Merge method', { exact: true }).selectOption('emr');
  await mergeAndWait(page);
  await expect(
    page.getByTestId('merge-summary').getByRole('link', { name: /emr_modulators\.safetensors/ }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  const modulated = results().getByRole('row', { name: /EMR .* — per-task modulators/ });
  const unified = results().getByRole('row', { name: /EMR .* — unified model, no modulators/ });
  const nine = Array(zoo.tasks.length + 1).fill(PERCENT);
  await expect(modulated.locator('td')).toHaveText(nine, { timeout: 120_000 });
  await expect(unified.locator('td')).toHaveText(nine, { timeout: 120_000 });
  console.log(`EMR merge and its two rows: ${(Date.now() - t0) / 1000} s`);
  const [perTask, plain] = [await cellsOf(modulated), await cellsOf(unified)];
  console.log(`EMR per-task ${perTask.join(' ')}; unified ${plain.join(' ')}`);
  // A row that ignored the modulators (or copied the unified one) would equal it.
  expect(perTask.slice(1)).not.toEqual(plain.slice(1));
  await expect(page.getByTestId('results-meaning')).toContainText('its own 1-bit mask');
});
