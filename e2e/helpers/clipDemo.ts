import { expect, type Page } from '@playwright/test';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatPercent } from '../../app/lib/format';
import type { ClipZooWeb } from '../../src/worker/demo/clip-manifest';
import { cliEval, type Accuracies } from './cliEval';
import { openStudio } from './studio';

export const CLIP_ZOO = 'public/clip-zoo';

/** The published CLIP demo zoo's web manifest (tasks in load order, file lists). */
export async function readClipZoo(): Promise<ClipZooWeb> {
  return JSON.parse(await readFile(join(CLIP_ZOO, 'clip-zoo.json'), 'utf8')) as ClipZooWeb;
}

/**
 * Opens `/?demo=clip` (or `path`, another URL with `demo=clip`) and waits until the main panels hold the CLIP checkpoints (base + one
 * row per tower) and can evaluate. The CLIP panel's own table job starts by itself; once its
 * zero-shot row is in, the rest is cancelled: the main panels' tests do not need it, and on a
 * loaded machine it would hold the worker for a minute. (The cancel also spares Load demo's
 * main-panel merge; if the table was done first, that merge is waited for.)
 */
export async function openClipDemo(
  page: Page,
  zoo: ClipZooWeb,
  path = '/?demo=clip',
): Promise<void> {
  await openStudio(page, path, 120_000);
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

/** Results' table (the CLIP panel has one of its own further down). */
export const resultsTable = (page: Page) =>
  page.getByRole('region', { name: 'Results' }).getByTestId('results-table');

/**
 * Opens `/?demo=clip` and waits until Load demo has done everything a visitor's click does:
 * the CLIP panel's table, then in Results the base + heads and fine-tune rows and the zoo's
 * task-arithmetic merge, evaluated (what ui-layout's first half checks as a user sees it).
 */
export async function openClipDemoDone(page: Page, zoo: ClipZooWeb): Promise<void> {
  await openStudio(page, '/?demo=clip', 120_000);
  const merge = resultsTable(page).locator('tr[data-method="task_arithmetic"]');
  await expect(merge).toHaveCount(1, { timeout: 600_000 });
  await expect(page.getByRole('button', { name: 'Load demo' })).toHaveAttribute(
    'aria-busy',
    'false',
    { timeout: 120_000 },
  );
  await expect(page.getByTestId('evaluation-progress')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(1 + zoo.tasks.length);
}

/** The checkpoint-table name of a task's fine-tune (its folder's name). */
export const finetuneName = (task: ClipZooWeb['tasks'][number]) => task.finetune.folder;

/** `--task name=folder` for each of `tasks` (all the zoo's when absent). */
const taskArgs = (zoo: ClipZooWeb, tasks = zoo.tasks) =>
  tasks.flatMap((t) => ['--task', `${t.name}=${join(CLIP_ZOO, t.data.folder)}`]);

/** The CLI's `eval --json` of a zoo folder (the base, a fine-tune) on `tasks` (default all). */
export function cliOnZooFolder(
  zoo: ClipZooWeb,
  folder: string,
  tasks = zoo.tasks,
): Promise<Accuracies> {
  const base = join(CLIP_ZOO, zoo.base.folder);
  return cliEval('--model', join(CLIP_ZOO, folder), '--clip', base, ...taskArgs(zoo, tasks));
}

/**
 * The CLI's `eval --json` of a vision tower the page offered (a merge's safetensors), written
 * into `dir` with the base's config beside it, on `tasks` (default all).
 */
export async function cliOnTower(
  zoo: ClipZooWeb,
  dir: string,
  bytes: Uint8Array,
  tasks = zoo.tasks,
): Promise<Accuracies> {
  const out = await mkdtemp(join(dir, 'tower-'));
  await writeFile(join(out, 'model.safetensors'), bytes);
  const base = join(CLIP_ZOO, zoo.base.folder);
  await copyFile(join(base, 'config.json'), join(out, 'config.json'));
  return cliEval('--model', out, '--clip', base, ...taskArgs(zoo, tasks));
}

/** A row's cells as the page prints them: the average first, then each task. */
export function percentCells(accuracies: Accuracies, zoo: ClipZooWeb): string[] {
  const values = zoo.tasks.map((t) => accuracies[t.name]!);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return [mean, ...values].map(formatPercent);
}
