import { test, expect, type Page } from '@playwright/test';
import { buildMiniZoo, serveMiniZoo, type MiniZoo } from './helpers/miniZoo';
import { openStudio, v1Demo, screenshot } from './helpers/studio';

let zoo: MiniZoo;
test.beforeAll(async () => {
  zoo = await buildMiniZoo();
});

/**
 * The studio with the mini zoo loaded as the demo; Load demo merges (task arithmetic at the
 * form's initial λ = 0.3) and evaluates it with the base and fine-tune rows by itself: wait
 * for that to finish (the fine-tunes are scored last).
 */
async function loadDemo(page: Page): Promise<void> {
  await serveMiniZoo(page, zoo.files);
  await openStudio(page, v1Demo());
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
  const table = page.getByTestId('results-table');
  await expect(table.locator('tr[data-method="individual"]')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('evaluation-progress')).toHaveCount(0);
}

test('Load demo merges and evaluates: the results table and chart have the right accuracies', async ({
  page,
}) => {
  await loadDemo(page);
  const table = page.getByTestId('results-table');
  const individual = table.getByRole('row', { name: /Individual fine-tunes/ });
  const merged = table.getByRole('row', { name: '#1 Task Arithmetic (lambda=0.3)' });
  await expect(merged).toBeVisible();
  await expect(table.getByRole('row', { name: /Base \+ task heads \(zero-shot\)/ })).toBeVisible();
  // Labels are each fine-tune's own predictions, so the individual row is (almost) 100%.
  // Cells: the average first, then each task.
  const percents = async (row: typeof merged) =>
    (await row.locator('td').allInnerTexts()).slice(1).map((t) => Number(t.replace('%', '')) / 100);
  for (const value of await percents(individual)) expect(value).toBeGreaterThanOrEqual(0.95);
  const got = await percents(merged);
  const want = Object.values(zoo.expectedMerged);
  console.log(`merged accuracy: studio ${JSON.stringify(got)}, reference ${JSON.stringify(want)}`);
  expect(
    want.every((v) => v < 0.95),
    'the merge must differ from the fine-tunes',
  ).toBe(true);
  want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(0.05)); // ±2 of 40
  await expect(page.locator('.chart .recharts-bar-rectangle')).toHaveCount(6); // 2 tasks × 3 rows
  await screenshot(page, 'results');

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Results (CSV)' }).click(),
  ]);
  expect(csv.suggestedFilename()).toBe('merge-studio-results.csv');
});

test('live exploration re-merges and re-evaluates when a weight changes', async ({ page }) => {
  await loadDemo(page);
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel('Live: re-merge and evaluate on every change').check();

  const live = page.getByTestId('results-table').getByRole('row', { name: /^Live: / });
  // The default settings are the reference merge computed in the test.
  await expect(live).toHaveCount(1, { timeout: 60_000 });
  const percents = async () =>
    (await live.locator('td').allInnerTexts())
      .slice(1, 3) // after the average
      .map((t) => Number(t.replace('%', '')) / 100);
  const want = Object.values(zoo.expectedMerged);
  (await percents()).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(0.05));

  // Weight 0 for beta leaves base + τ_alpha: the row is replaced, not added.
  await page.getByLabel('Weight of beta value').fill('0');
  await expect(live).toContainText('beta: weight=0', { timeout: 60_000 });
  await expect(page.getByTestId('results-table').getByRole('row', { name: /^Live: / })).toHaveCount(
    1,
  );
});

test('live exploration re-merges once when a dragged slider is released, not while dragging', async ({
  page,
}) => {
  await loadDemo(page);
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel('Live: re-merge and evaluate on every change').check();
  const status = page.getByTestId('live-status');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 1\b/, { timeout: 60_000 });

  const slider = page.getByRole('slider', { name: 'Weight of beta', exact: true });
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.66, y);
  await page.mouse.down();
  for (const f of [0.6, 0.5, 0.4, 0.3, 0.2]) await page.mouse.move(box.x + box.width * f, y);
  const dragged = await page.getByLabel('Weight of beta value').inputValue();
  expect(Number(dragged)).toBeLessThan(1); // the value followed the drag…
  await page.waitForTimeout(700);
  await expect(status).toHaveAttribute('data-runs', '1'); // …but nothing re-merged yet
  await page.mouse.up();
  await expect(status).toHaveAttribute('data-runs', '2');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 2\b/, { timeout: 60_000 });
  const live = page.getByTestId('results-table').getByRole('row', { name: /^Live: / });
  await expect(live).toContainText(`beta: weight=${dragged}`);
});

test('live TIES (the engine path of explore) scores what Merge + Evaluate scores', async ({
  page,
}) => {
  await loadDemo(page);
  await page.getByLabel('Merge method', { exact: true }).selectOption('ties');
  await page.getByLabel('Density of beta value').fill('0.3');
  const table = page.getByTestId('results-table');
  const cells = async (name: RegExp) =>
    table.getByRole('row', { name }).locator('td').allInnerTexts();

  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Merged.');
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  // #1 is the task arithmetic merge Load demo made by itself.
  await expect(table.getByRole('row', { name: /^#2 TIES/ })).toBeVisible({ timeout: 60_000 });

  await page.getByLabel('Live: re-merge and evaluate on every change').check();
  await expect(page.getByTestId('live-status')).toHaveText(/Updated in \d+ ms \(run 1\b/, {
    timeout: 60_000,
  });
  await expect(table.getByRole('row', { name: /^Live: TIES/ })).toContainText('beta: density=0.3');
  const live = await cells(/^Live: /);
  expect(live).toHaveLength(3); // 2 tasks and the average
  expect(live).toEqual(await cells(/^#2 TIES/));
});
