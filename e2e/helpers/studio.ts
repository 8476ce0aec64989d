import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * Opens the studio and waits until the worker has answered the capability probe. The Vite
 * HMR socket is answered by a silent mock: an edit anywhere in the tree (other work in the same
 * checkout) must not reload the page in the middle of a test.
 */
export async function openStudio(page: Page, path = '/', probeTimeout = 30_000): Promise<void> {
  await page.routeWebSocket(/\/\?token=/, () => undefined);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Merge Studio' })).toBeVisible();
  await expect(page.getByText('Detecting GPU…')).toHaveCount(0, { timeout: probeTimeout });
  expect(problems, 'uncaught errors in the page').toEqual([]);
}

/** Screenshots go to test-results/screens/ (the README picture is copied from there). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync('test-results/screens', { recursive: true });
  const path = `test-results/screens/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The table row of one checkpoint, found by its name. */
export const checkpointRow = (page: Page, name: string) =>
  page.locator(`[data-testid="checkpoint-row"][data-name="${name}"]`);

/** A file of the last merge (default the merged model), through the merge summary's link. */
export async function downloadMerged(page: Page, name = 'merged.safetensors'): Promise<Uint8Array> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page
      .getByTestId('merge-summary')
      .getByRole('link', { name: `Download ${name}` })
      .click(),
  ]);
  return new Uint8Array(await readFile(await download.path()));
}

/**
 * Presses Merge and waits for *that* run's "Merged." (the status line's data-run counts runs:
 * Load demo's own merge may already have left "Merged." there).
 */
export async function mergeAndWait(page: Page, timeout = 120_000): Promise<void> {
  const status = page.getByTestId('run-status');
  const before = Number(await status.getAttribute('data-run'));
  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  await expect(status).toHaveAttribute('data-run', String(before + 1), { timeout });
  await expect(status).toHaveText('Merged.', { timeout });
}
