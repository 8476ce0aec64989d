import { expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClipZooWeb } from '../../src/worker/demo/clip-manifest';
import { openStudio } from './studio';

export const CLIP_ZOO = 'public/clip-zoo';

/** The published CLIP demo zoo's web manifest (tasks in load order, file lists). */
export async function readClipZoo(): Promise<ClipZooWeb> {
  return JSON.parse(await readFile(join(CLIP_ZOO, 'clip-zoo.json'), 'utf8')) as ClipZooWeb;
}

/**
 * Opens `/?demo=clip` and waits until the main panels hold the CLIP checkpoints (base + one
 * row per tower) and can evaluate. The CLIP panel's own table job starts by itself; once its
 * zero-shot row is in, the rest is cancelled: the main panels' tests do not need it, and on a
 * loaded machine it would hold the worker for a minute. (The cancel also spares Load demo's
 * main-panel merge; if the table was done first, that merge is waited for.)
 */
export async function openClipDemo(page: Page, zoo: ClipZooWeb): Promise<void> {
  await openStudio(page, '/?demo=clip', 120_000);
  const clipTable = page.getByTestId('clip-results');
  await expect(clipTable.locator('tr[data-method="base"] td').first()).toHaveText(/%$/, {
    timeout: 300_000,
  });
  // (On a quiet machine the job may already be done: then there is nothing to cancel.)
  await page
    .getByRole('button', { name: 'Cancel clip job' })
    .click({ timeout: 5_000 })
    .catch(() => undefined);
  await expect(page.getByTestId('clip-job')).toHaveCount(0, { timeout: 60_000 });
  // When the table finished first, Load demo goes on to merge and evaluate in the main panels:
  // the tests start once that is over (the button is busy until then).
  await expect(page.getByRole('button', { name: 'Load demo' })).toHaveAttribute(
    'aria-busy',
    'false',
    { timeout: 300_000 },
  );
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(1 + zoo.tasks.length);
}
