/**
 * Results and Live on the CLIP demo (`/?demo=clip`): what Load demo leaves in Results (base +
 * heads, the fine-tunes, the zoo's task-arithmetic merge) scores what the CLI's `eval --json`
 * gives on the same models; Live re-merges on every change, once per released drag, and its
 * TIES (the engine path of explore) scores what Merge + Evaluate scores.
 *
 * One page serves the four tests, in order (Load demo fetches and scores the whole zoo: minutes
 * on a loaded machine): each test leaves Live off, and the rows it adds are named by their
 * number.
 */
import { test, expect, type Browser, type Locator, type Page } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClipZooWeb } from '../src/worker/demo/clip-manifest';
import {
  cliOnTower,
  cliOnZooFolder,
  finetuneName,
  openClipDemoDone,
  percentCells,
  readClipZoo,
  resultsTable,
} from './helpers/clipDemo';
import { downloadMerged, mergeAndWait, screenshot } from './helpers/studio';

let web: ClipZooWeb;
let dir = '';
let page: Page;

test.describe.configure({ mode: 'serial', timeout: 900_000 });

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  test.setTimeout(900_000);
  web = await readClipZoo();
  dir = await mkdtemp(join(tmpdir(), 'ui-results-'));
  page = await browser.newPage();
  await openClipDemoDone(page, web);
});
test.afterAll(async () => {
  await page?.close();
  await rm(dir, { recursive: true, force: true });
});

const cellsOf = (row: Locator) => row.locator('td').allInnerTexts();
const liveToggle = () => page.getByLabel('Live: re-merge and evaluate on every change');
const liveRow = () => resultsTable(page).getByRole('row', { name: /^Live: / });
/** The second task's fine-tune: its weight is what the Live tests change. */
const second = () => finetuneName(web.tasks[1]!);

test('Load demo merges and evaluates: the results table and chart have the CLI’s accuracies', async () => {
  const table = resultsTable(page);
  const merged = table.getByRole('row', { name: `#1 Task Arithmetic (lambda=${web.demoLambda})` });
  const base = table.getByRole('row', { name: /Base \+ task heads \(zero-shot\)/ });
  const individual = table.getByRole('row', { name: /Individual fine-tunes/ });
  await expect(merged).toBeVisible();
  await expect(base).toBeVisible();
  await expect(individual).toBeVisible();

  // The CLI's numbers: the merge the page made (downloaded), the base, each fine-tune on its task.
  const want = await cliOnTower(web, dir, await downloadMerged(page));
  expect(await cellsOf(merged)).toEqual(percentCells(want, web));
  const zeroShot = await cliOnZooFolder(web, web.base.folder);
  expect(await cellsOf(base)).toEqual(percentCells(zeroShot, web));
  const own: Record<string, number> = {};
  for (const t of web.tasks) Object.assign(own, await cliOnZooFolder(web, t.finetune.folder, [t]));
  expect(await cellsOf(individual)).toEqual(percentCells(own, web));
  console.log(`merge ${JSON.stringify(want)}, zero-shot ${JSON.stringify(zeroShot)}`);
  // The merge is neither model it came from: it differs from each reference on some task.
  for (const reference of [zeroShot, own])
    expect(web.tasks.some((t) => want[t.name] !== reference[t.name])).toBe(true);

  const results = page.getByRole('region', { name: 'Results' });
  // Tasks × the three rows (base + heads, the fine-tunes, the merge).
  await expect(results.locator('.chart .recharts-bar-rectangle')).toHaveCount(3 * web.tasks.length);
  await screenshot(page, 'results');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Results (CSV)' }).click(),
  ]);
  expect(csv.suggestedFilename()).toBe('merge-studio-results.csv');
  const lines = (await readFile(await csv.path(), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(1 + 3); // the header and the three rows
  expect(lines[0]).toBe(['model', 'method', ...web.tasks.map((t) => t.name), 'average'].join(','));
  // The merge's line: its accuracies in full (the cells above are rounded to 0.1 %).
  const mergeLine = lines.find((l) => l.includes(',task_arithmetic,'))!.split(',');
  expect(mergeLine.slice(2, -1)).toEqual(web.tasks.map((t) => want[t.name]!.toFixed(4)));
});

test('live TIES (the engine path of explore) scores what Merge + Evaluate scores', async () => {
  await page.getByLabel('Merge method', { exact: true }).selectOption('ties');
  await page.getByLabel(`Density of ${second()} value`).fill('0.3');
  const table = resultsTable(page);
  await mergeAndWait(page);
  await page.getByRole('button', { name: 'Evaluate last merge' }).click();
  // #1 is the task arithmetic merge Load demo made by itself.
  const ties = table.getByRole('row', { name: /^#2 TIES/ });
  await expect(ties).toBeVisible({ timeout: 300_000 });

  await liveToggle().check();
  await expect(page.getByTestId('live-status')).toHaveText(/Updated in \d+ ms \(run 1\b/, {
    timeout: 300_000,
  });
  await expect(liveRow()).toContainText(`${second()}: density=0.3`);
  const live = await cellsOf(liveRow());
  expect(live).toHaveLength(web.tasks.length + 1);
  expect(live).toEqual(await cellsOf(ties));
  // A merge other than Load demo's: the comparison above could fail.
  expect(live).not.toEqual(await cellsOf(table.getByRole('row', { name: /^#1 / })));
  await liveToggle().uncheck();
});

test('live exploration re-merges and re-evaluates when a weight changes', async () => {
  // (A change of method resets the form: Load demo's λ is set again.)
  await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
  await page.getByLabel('Lambda value', { exact: true }).fill(String(web.demoLambda));
  await liveToggle().check();
  await expect(page.getByTestId('live-status')).toHaveText(/Updated in \d+ ms \(run 1\b/, {
    timeout: 300_000,
  });
  // The form's settings are Load demo's (its λ, every weight 1): the live row is merge #1's.
  const first = resultsTable(page).getByRole('row', { name: /^#1 / });
  expect(await cellsOf(liveRow())).toEqual(await cellsOf(first));

  // Weight 0 for the second fine-tune leaves it out: the row is replaced, not added.
  await page.getByLabel(`Weight of ${second()} value`).fill('0');
  await expect(liveRow()).toContainText(`${second()}: weight=0`, { timeout: 300_000 });
  await expect(page.getByTestId('live-status')).toHaveText(/Updated in \d+ ms \(run 2\b/, {
    timeout: 300_000,
  });
  await expect(liveRow()).toHaveCount(1);
  expect(await cellsOf(liveRow())).not.toEqual(await cellsOf(first));
  await liveToggle().uncheck();
  await page.getByLabel(`Weight of ${second()} value`).fill('1');
});

test('live exploration re-merges once when a dragged slider is released, not while dragging', async () => {
  await liveToggle().check();
  const status = page.getByTestId('live-status');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 1\b/, { timeout: 300_000 });

  const slider = page.getByRole('slider', { name: `Weight of ${second()}`, exact: true });
  await slider.scrollIntoViewIfNeeded(); // mouse coordinates are the viewport's
  const box = (await slider.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.66, y);
  await page.mouse.down();
  for (const f of [0.6, 0.5, 0.4, 0.3, 0.2]) await page.mouse.move(box.x + box.width * f, y);
  const dragged = await page.getByLabel(`Weight of ${second()} value`).inputValue();
  expect(Number(dragged)).toBeLessThan(1); // the value followed the drag…
  await page.waitForTimeout(700);
  await expect(status).toHaveAttribute('data-runs', '1'); // …but nothing re-merged yet
  await page.mouse.up();
  await expect(status).toHaveAttribute('data-runs', '2');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 2\b/, { timeout: 300_000 });
  await expect(liveRow()).toContainText(`${second()}: weight=${dragged}`);
  await liveToggle().uncheck();
});
