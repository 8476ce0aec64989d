import { test, expect, type Page } from '@playwright/test';
import { buildMiniZoo, serveMiniZoo, type MiniZoo } from './helpers/miniZoo';
import { openStudio, screenshot } from './helpers/studio';

let zoo: MiniZoo;
test.beforeAll(async () => {
  zoo = await buildMiniZoo();
});

async function loadDemo(page: Page): Promise<void> {
  await serveMiniZoo(page, zoo.files);
  await openStudio(page);
  await page.getByRole('button', { name: 'Load demo' }).click();
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
}

const stepOf = async (page: Page) =>
  Number(/Step (\d+)/.exec(await page.getByTestId('ada-status').innerText())?.[1] ?? NaN);

test('layer-wise AdaMerging streams live charts and adds its merge to the results', async ({
  page,
}) => {
  await loadDemo(page);
  await page.getByLabel('Steps', { exact: true }).fill('20');
  await page.getByLabel('Evaluate every').fill('10');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  const status = page.getByTestId('ada-status');
  await expect(status).toContainText('Done', { timeout: 150_000 });
  await expect(status).toContainText('Step 20');

  // Tasks × merged tensors: 2 tasks × the 18 encoder tensors of the mini ViT (depth 1).
  await expect(page.getByTestId('lambda-heatmap').locator('.heatmap__cell')).toHaveCount(2 * 18);
  await expect(page.locator('.ada-chart .recharts-line')).not.toHaveCount(0);
  const row = page.getByTestId('results-table').getByRole('row', { name: /AdaMerging layer-wise/ });
  await expect(row).toContainText('(20 steps)');
  for (const cell of await row.locator('td').allInnerTexts()) expect(cell).toMatch(/^\d+\.\d%$/);
  await screenshot(page, 'adamerging');
});

test('AdaMerging pauses, resumes and cancels between steps', async ({ page }) => {
  await loadDemo(page);
  await page.getByLabel('Steps', { exact: true }).fill('5000');
  await page.getByLabel('Evaluate every').fill('0');
  await page.getByRole('button', { name: 'Run AdaMerging' }).click();
  await expect.poll(() => stepOf(page)).toBeGreaterThan(2);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Paused.');
  const paused = await stepOf(page);
  await page.waitForTimeout(1000);
  expect(await stepOf(page)).toBeLessThanOrEqual(paused + 1); // at most the step in flight
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(() => stepOf(page)).toBeGreaterThan(paused + 1);
  await page.getByRole('button', { name: 'Cancel AdaMerging' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Cancelled.');
  await expect(page.getByRole('button', { name: 'Run AdaMerging' })).toBeEnabled();
});
