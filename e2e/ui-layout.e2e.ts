/**
 * The studio on the v1 demo (`/?demo=v1`, no other flags: evaluation on the backend the studio
 * measured fastest), checked the way a user sees it: Load demo merges and evaluates by itself,
 * the evaluation shows its progress and a Cancel button (the test sets are held back to press
 * it), the merge's row and the base (zero-shot) row arrive first, and at 1024, 1400 and 1920 px
 * no panel draws blocks over each other, the Average column is in view and no chart prints its
 * axis labels over each other. Screenshots: test-results/screens/layout-<width>.png.
 */
import { test, expect, type Page } from '@playwright/test';
import { dropFiles } from './helpers/drop';
import { expectLayoutHoldsAt } from './helpers/layout';
import { checkpointRow, openStudio, screenshot } from './helpers/studio';

// The v1 toy zoo's flow (Load demo merged and evaluated in the main panels by itself), with no
// `?tf=` flag; the README's URL is now the tiny-CLIP demo (ui-clip-demo, ui-clip-main).
const README_URL = '/?demo=v1';
const WIDTHS = [1400, 1920, 1024];

test.setTimeout(10 * 60_000);

async function checkLayout(page: Page, width: number): Promise<void> {
  await expectLayoutHoldsAt(page, width, 'README URL');
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
  // Evaluation now takes seconds: the demo's test sets are held back until the Cancel of the
  // evaluation Load demo starts has been seen and pressed (it waits for them in its first step).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/zoo/test/**', async (route) => {
    await held;
    await route.continue();
  });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await openStudio(page, README_URL);

  // Load demo has merged with the form's initial values (λ = 0.3) and is evaluating.
  const progress = page.getByTestId('evaluation-progress');
  await expect(progress).toBeVisible({ timeout: 120_000 });
  await expect(progress.getByRole('button', { name: 'Cancel evaluation' })).toBeVisible();
  await expect(progress.getByRole('progressbar', { name: 'Evaluation progress' })).toBeVisible();
  await expect(progress).toContainText('#1 Task Arithmetic (lambda=0.3) (1 of 3)');
  await expect(page.getByTestId('merge-summary')).toBeVisible();
  await progress.getByRole('button', { name: 'Cancel evaluation' }).click();
  release();
  await expect(progress).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Evaluation cancelled.' })).toBeVisible();

  // Evaluate again: every text the progress numbers take is recorded in the page (a chunk of
  // images takes a fraction of a second, too quick to poll for).
  await page.evaluate(() => {
    const w = window as unknown as { __numbers: string[] };
    w.__numbers = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="evaluation-progress-numbers"]');
      if (text?.textContent) w.__numbers.push(text.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();

  // The merge's row arrives first, then the base + heads (zero-shot) row, which the table
  // shows first, then the fine-tunes.
  const table = page.getByTestId('results-table');
  await expect(table.locator('tr[data-method="task_arithmetic"]')).toContainText(
    '#1 Task Arithmetic (lambda=0.3)',
    { timeout: 240_000 },
  );
  const base = table.locator('tr[data-method="base"]');
  await expect(base).toContainText('Base + task heads (zero-shot)', { timeout: 240_000 });
  await expect(base.locator('td')).toHaveCount(9); // the average and 8 tasks
  await expect(table.locator('tr[data-method="individual"]')).toHaveCount(1, {
    timeout: 240_000,
  });
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-method', 'base');
  await expect(page.getByTestId('results-meaning')).toBeVisible();
  // While it ran: images done / total, a rate and an ETA.
  const numbers = await page.evaluate(
    () => (window as unknown as { __numbers: string[] }).__numbers,
  );
  expect(numbers.some((t) => /\d[\d,]* \/ [\d,]+ images · [\d.]+ images\/s · ETA/.test(t))).toBe(
    true,
  );

  // Drops land anywhere on the checkpoints panel, not only on the dashed area: a broken
  // file dropped on the panel's title bar gets its row with the error.
  const junk = { name: 'junk.safetensors', bytes: new Uint8Array([1, 2, 3]) };
  await dropFiles(page.getByTestId('checkpoints-panel').locator('.panel__header'), [junk]);
  await expect(checkpointRow(page, 'junk.safetensors')).toBeVisible();
  await checkpointRow(page, 'junk.safetensors').getByRole('button').click();

  // The analysis (its three blocks used to be drawn over each other).
  await page.getByRole('button', { name: 'Analyse task vectors' }).click();
  await expect(page.getByTestId('layer-norms')).toBeVisible({ timeout: 120_000 });

  // A short task-wise AdaMerging: λ as bars, one per task; its final evaluation is a phase
  // (AdaMerging's Cancel is ui-adamerging.e2e.ts's).
  await page.getByLabel('Coefficients').selectOption('task');
  await page.getByLabel('Steps', { exact: true }).fill('3');
  await page.getByLabel('Evaluate every', { exact: true }).fill('100');
  // The final evaluation takes seconds: its phase is recorded in the page, not polled for.
  await page.evaluate(() => {
    const w = window as unknown as { __ada: string[] };
    w.__ada = [];
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="ada-progress"]')?.textContent;
      if (text) w.__ada.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Done', { timeout: 180_000 });
  const phases = await page.evaluate(() => (window as unknown as { __ada: string[] }).__ada);
  expect(phases.some((t) => t.includes('Evaluating the learned merge'))).toBe(true);
  await expect(page.getByTestId('lambda-bars')).toHaveAttribute('data-bars', '8');
  await expect(page.getByTestId('lambda-bars')).toContainText('λ per task');

  for (const width of WIDTHS) await checkLayout(page, width);
});
