import { test, expect } from '@playwright/test';
import { buildMiniZoo, serveMiniZoo, type MiniZoo } from './helpers/miniZoo';
import { openStudio, v1Demo, screenshot } from './helpers/studio';

let zoo: MiniZoo;
test.beforeAll(async () => {
  zoo = await buildMiniZoo();
});

/** "Load λA 1, λB 0: A 100.0%, B 62.5%" → the two accuracies in [0, 1]. */
function accuracies(label: string): [number, number] {
  const m = /A ([\d.]+)%, B ([\d.]+)%/.exec(label);
  if (!m) throw new Error(`no accuracies in "${label}"`);
  return [Number(m[1]) / 100, Number(m[2]) / 100];
}

test('a λa × λb sweep draws the trade-off and a click loads that point', async ({ page }) => {
  await serveMiniZoo(page, zoo.files);
  await openStudio(page, v1Demo());
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
  await expect(page.getByLabel('Task A (x axis)')).toHaveValue(/.+/);
  // Load demo merges and evaluates by itself (row #1); wait until it has finished.
  const table = page.getByTestId('results-table');
  await expect(table.locator('tr[data-method="individual"]')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('evaluation-progress')).toHaveCount(0);

  // A merge of our own first (base + τ_alpha only), evaluated: the sweep must not replace it.
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel('Weight of beta value').fill('0');
  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Merged.', { timeout: 60_000 });
  const rowPercents = async (name: RegExp) =>
    (await table.getByRole('row', { name }).locator('td').allInnerTexts()).slice(1, 3);
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  await expect(table.getByRole('row', { name: /^#2 / })).toBeVisible({ timeout: 60_000 });
  const ours = await rowPercents(/^#2 /);

  await page.getByLabel('Values per axis').fill('3');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const status = page.getByTestId('sweep-status');
  await expect(status).toContainText('Done', { timeout: 120_000 });

  // The last sweep point, (1, 1), is a plain task-arithmetic merge, which scores otherwise
  // than ours; "Evaluate last merge" still scores ours.
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  await expect(table.getByRole('row', { name: /^#3 / })).toBeVisible({ timeout: 60_000 });
  expect(await rowPercents(/^#3 /)).toEqual(ours);
  const plain = Object.values(zoo.expectedMerged).slice(0, 2);
  const oursNumbers = ours.map((t) => Number(t.replace('%', '')) / 100);
  expect(oursNumbers.some((v, i) => Math.abs(v - plain[i]!) > 0.05)).toBe(true);
  await expect(status).toContainText('9/9 points');
  // On the backend the studio measured fastest and names in the header.
  const backend = await page.getByTestId('eval-backend').getAttribute('data-backend');
  await expect(status).toContainText(`Evaluated on ${backend}.`);
  const points = page.getByTestId('sweep-point');
  await expect(points).toHaveCount(9);
  await expect(points.and(page.locator('[data-front="true"]')).first()).toBeVisible();

  // λ = (1, 0) is base + τ_alpha = alpha's own encoder; the test labels are alpha's own
  // predictions, so task A scores (almost) 100% there. Symmetrically (0, 1) for task B.
  const at = (a: number, b: number) =>
    page.locator(`[data-testid="sweep-point"][data-lambda-a="${a}"][data-lambda-b="${b}"]`);
  const [onlyA] = accuracies((await at(1, 0).getAttribute('aria-label'))!);
  const [, onlyB] = accuracies((await at(0, 1).getAttribute('aria-label'))!);
  expect(onlyA).toBeGreaterThanOrEqual(0.95);
  expect(onlyB).toBeGreaterThanOrEqual(0.95);
  await screenshot(page, 'sweep');

  await at(0.5, 1).click();
  await expect(page.getByLabel('Merge method', { exact: true })).toHaveValue('task_arithmetic');
  await expect(page.getByLabel('Weight of alpha value')).toHaveValue('0.5');
  await expect(page.getByLabel('Weight of beta value')).toHaveValue('1');
  await expect(page.getByLabel('Lambda value')).toHaveValue('1');
});

test('a running sweep shows progress and cancels', async ({ page }) => {
  await serveMiniZoo(page, zoo.files);
  // Evaluation on WebAssembly (?tf=wasm) while merges stay on WebGPU: that path works too.
  await openStudio(page, v1Demo('/?tf=wasm'));
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
  await page.getByLabel('Values per axis').fill('12');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const status = page.getByTestId('sweep-status');
  await expect(page.getByRole('progressbar', { name: 'Sweep progress' })).toBeVisible();
  await expect(status).toContainText(/[1-9]\d*\/144 points/, { timeout: 60_000 });
  await expect(status).toContainText('Evaluated on wasm.');
  await page.getByRole('button', { name: 'Cancel sweep' }).click();
  await expect(status).toContainText('Cancelled.');
  const after = await page.getByTestId('sweep-point').count();
  expect(after).toBeLessThan(144);
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('sweep-point')).toHaveCount(after); // nothing more arrives
});
