/**
 * The studio as the README opens it (`/?demo`, no flags: evaluation on the backend the
 * studio measured fastest), checked the way a user sees it: Load demo merges and evaluates by itself, the
 * evaluation shows its progress and a Cancel button, the merge's row and the base (zero-shot) row arrive first,
 * and at 1024, 1400 and 1920 px no panel draws blocks over each other, the Average column is
 * in view and no chart prints its axis labels over each other. Screenshots:
 * test-results/screens/layout-<width>.png.
 */
import { test, expect, type Page } from '@playwright/test';
import { dropFiles } from './helpers/drop';
import { axisLabelOverlaps, panelOverlaps } from './helpers/layout';
import { checkpointRow, openStudio, screenshot } from './helpers/studio';

const README_URL = '/?demo';
const WIDTHS = [1400, 1920, 1024];

test.setTimeout(10 * 60_000);

async function checkLayout(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 1000 });
  await page.waitForTimeout(300); // ResponsiveContainer re-measures on resize
  expect(await panelOverlaps(page), `overlapping blocks at ${width} px`).toEqual([]);
  expect(await axisLabelOverlaps(page), `axis labels over each other at ${width} px`).toEqual([]);
  // The Average column: the second one, inside the viewport and the table's scroll box.
  const average = page.getByTestId('results-table').getByRole('columnheader', { name: 'Average' });
  await average.scrollIntoViewIfNeeded();
  const box = (await average.boundingBox())!;
  const scroller = (await page.getByRole('region', { name: 'Accuracy per task' }).boundingBox())!;
  expect(box.x + box.width, `Average in view at ${width} px`).toBeLessThanOrEqual(
    Math.min(width, scroller.x + scroller.width),
  );
  expect(box.x).toBeGreaterThanOrEqual(scroller.x);
  await screenshot(page, `layout-${width}`);
}

test('the README URL: demo merges and evaluates at once, with progress, Cancel and a base row; layouts hold', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await openStudio(page, README_URL);

  // Load demo has merged with the form's initial values (λ = 0.3) and is evaluating.
  const progress = page.getByTestId('evaluation-progress');
  await expect(progress).toBeVisible({ timeout: 120_000 });
  await expect(progress.getByRole('button', { name: 'Cancel evaluation' })).toBeVisible();
  await expect(progress.getByRole('progressbar', { name: 'Evaluation progress' })).toBeVisible();
  await expect(progress).toContainText(/\((1|2) of 3\)/); // the merge, then base + heads
  await expect(page.getByTestId('merge-summary')).toBeVisible();
  // After the first task: images done / total, a rate and an ETA.
  await expect(page.getByTestId('evaluation-progress-numbers')).toContainText(
    /\d[\d,]* \/ [\d,]+ images · [\d.]+ images\/s · ETA/,
    { timeout: 120_000 },
  );

  // The merge's row arrives first, then the base + heads (zero-shot) row, which the table
  // shows first; then the fine-tunes are being scored.
  const table = page.getByTestId('results-table');
  await expect(table.locator('tr[data-method="task_arithmetic"]')).toContainText(
    '#1 Task Arithmetic (lambda=0.3)',
    { timeout: 240_000 },
  );
  const base = table.locator('tr[data-method="base"]');
  await expect(base).toContainText('Base + task heads (zero-shot)', { timeout: 240_000 });
  await expect(base.locator('td')).toHaveCount(9); // the average and 8 tasks
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-method', 'base');
  await expect(page.getByTestId('results-meaning')).toBeVisible();
  await expect(progress).toContainText('Individual fine-tunes (3 of 3)');
  await progress.getByRole('button', { name: 'Cancel evaluation' }).click();
  await expect(progress).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Evaluation cancelled.' })).toBeVisible();

  // Drops land anywhere on the checkpoints panel, not only on the dashed area: a broken
  // file dropped on the panel's title bar gets its row with the error.
  const junk = { name: 'junk.safetensors', bytes: new Uint8Array([1, 2, 3]) };
  await dropFiles(page.getByTestId('checkpoints-panel').locator('.panel__header'), [junk]);
  await expect(checkpointRow(page, 'junk.safetensors')).toBeVisible();
  await checkpointRow(page, 'junk.safetensors').getByRole('button').click();

  // The analysis (its three blocks used to be drawn over each other).
  await page.getByRole('button', { name: 'Analyse task vectors' }).click();
  await expect(page.getByTestId('layer-norms')).toBeVisible({ timeout: 120_000 });

  // A short task-wise AdaMerging: λ as bars, one per task; its final evaluation is a phase.
  await page.getByLabel('Coefficients').selectOption('task');
  await page.getByLabel('Steps', { exact: true }).fill('3');
  await page.getByLabel('Evaluate every', { exact: true }).fill('100');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  const ada = page.getByTestId('ada-progress');
  await expect(ada).toContainText('Evaluating the learned merge', { timeout: 180_000 });
  await expect(page.getByTestId('lambda-bars')).toHaveAttribute('data-bars', '8');
  await expect(page.getByTestId('lambda-bars')).toContainText('λ per task');
  await page.getByRole('button', { name: 'Cancel AdaMerging' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Cancelled.');

  for (const width of WIDTHS) await checkLayout(page, width);
});
