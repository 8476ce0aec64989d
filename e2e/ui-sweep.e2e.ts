/**
 * The λa × λb sweep on the CLIP demo (`/?demo=clip`): two fine-tuned towers, task arithmetic
 * with weights (λa, λb) over a grid, each point scored on the two tasks. At (1, 0) the merge is
 * base + τ_a, which is fine-tune a itself: its point scores what Results' individual row does.
 */
import { test, expect, type Locator, type Page } from '@playwright/test';
import type { ClipZooWeb } from '../src/worker/demo/clip-manifest';
import { finetuneName, openClipDemo, readClipZoo, resultsTable } from './helpers/clipDemo';
import { mergeAndWait, screenshot } from './helpers/studio';

let web: ClipZooWeb;

test.describe.configure({ timeout: 900_000 });
test.beforeAll(async () => {
  web = await readClipZoo();
});

/** "Load λA 1, λB 0: A 100.0%, B 62.5%" → the two accuracies as the page prints them. */
function accuracies(label: string): [string, string] {
  const m = /A ([\d.]+%), B ([\d.]+%)/.exec(label);
  if (!m) throw new Error(`no accuracies in "${label}"`);
  return [m[1]!, m[2]!];
}

const cellsOf = (row: Locator) => row.locator('td').allInnerTexts();

/** Picks the first two tasks' fine-tunes as the axes; their names and cell columns. */
async function chooseAxes(page: Page) {
  const [a, b] = [web.tasks[0]!, web.tasks[1]!];
  await page.getByLabel('Task A (x axis)').selectOption({ label: finetuneName(a) });
  await page.getByLabel('Task B (y axis)').selectOption({ label: finetuneName(b) });
  // Cells: the average first, then the tasks in the zoo's order.
  return { a: finetuneName(a), b: finetuneName(b), columnA: 1, columnB: 2 };
}

test('a λa × λb sweep draws the trade-off and a click loads that point', async ({ page }) => {
  await openClipDemo(page, web);
  const axes = await chooseAxes(page);
  const table = resultsTable(page);
  const merges = table.locator('tr[data-method="task_arithmetic"]');
  const before = await merges.count(); // Load demo's own merge when it got that far

  // A merge of our own first (the papers' λ, the second fine-tune left out), evaluated with
  // the references: the sweep must not replace it.
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel(`Weight of ${axes.b} value`).fill('0');
  await mergeAndWait(page);
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  await expect(merges).toHaveCount(before + 1, { timeout: 300_000 });
  const individual = table.locator('tr[data-method="individual"]');
  await expect(individual.locator('td')).toHaveCount(web.tasks.length + 1, { timeout: 300_000 });
  await expect(page.getByTestId('evaluation-progress')).toHaveCount(0, { timeout: 300_000 });
  const ours = await cellsOf(merges.nth(before));

  // Every test image of the two tasks: the points compare with Results' full-set rows.
  const testCount = Math.max(...web.tasks.map((t) => t.data.files.length));
  await page.getByLabel('Test images per task').fill(String(testCount));
  await page.getByLabel('Values per axis').fill('3');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const status = page.getByTestId('sweep-status');
  await expect(status).toContainText('Done', { timeout: 600_000 });
  await expect(status).toContainText('9/9 points');
  // On the backend the studio measured fastest and names in the header.
  const backend = await page.getByTestId('eval-backend').getAttribute('data-backend');
  await expect(status).toContainText(`Evaluated on ${backend}.`);
  const points = page.getByTestId('sweep-point');
  await expect(points).toHaveCount(9);
  await expect(points.and(page.locator('[data-front="true"]')).first()).toBeVisible();

  const at = (a: number, b: number) =>
    page.locator(`[data-testid="sweep-point"][data-lambda-a="${a}"][data-lambda-b="${b}"]`);
  const point = async (a: number, b: number) =>
    accuracies((await at(a, b).getAttribute('aria-label'))!);
  // λ = (1, 0) is base + τ_a: fine-tune a's own tower; symmetrically (0, 1) for b.
  const own = await cellsOf(individual);
  expect((await point(1, 0))[0]).toBe(own[axes.columnA]);
  expect((await point(0, 1))[1]).toBe(own[axes.columnB]);

  // The last sweep point, (1, 1), is another merge than ours; "Evaluate last merge" still
  // scores ours.
  const last = await point(1, 1);
  expect(last, 'the sweep’s last merge scores otherwise than ours').not.toEqual([
    ours[axes.columnA],
    ours[axes.columnB],
  ]);
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  await expect(merges).toHaveCount(before + 2, { timeout: 300_000 });
  expect(await cellsOf(merges.nth(before + 1))).toEqual(ours);
  await screenshot(page, 'sweep');

  await at(0.5, 1).click();
  await expect(page.getByLabel('Merge method', { exact: true })).toHaveValue('task_arithmetic');
  await expect(page.getByLabel(`Weight of ${axes.a} value`)).toHaveValue('0.5');
  await expect(page.getByLabel(`Weight of ${axes.b} value`)).toHaveValue('1');
  await expect(page.getByLabel(`Weight of ${finetuneName(web.tasks[2]!)} value`)).toHaveValue('0');
  await expect(page.getByLabel('Lambda value')).toHaveValue('1');
});

test('a running sweep shows progress and cancels', async ({ page }) => {
  // Evaluation on WebAssembly (?tf=wasm) while merges stay on WebGPU: that path works too.
  await openClipDemo(page, web, '/?demo=clip&tf=wasm');
  await page.getByLabel('Values per axis').fill('12');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const status = page.getByTestId('sweep-status');
  await expect(page.getByRole('progressbar', { name: 'Sweep progress' })).toBeVisible();
  await expect(status).toContainText(/[1-9]\d*\/144 points/, { timeout: 300_000 });
  await expect(status).toContainText('Evaluated on wasm.');
  await page.getByRole('button', { name: 'Cancel sweep' }).click();
  await expect(status).toContainText('Cancelled.');
  const after = await page.getByTestId('sweep-point').count();
  expect(after).toBeLessThan(144);
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('sweep-point')).toHaveCount(after); // nothing more arrives
});
