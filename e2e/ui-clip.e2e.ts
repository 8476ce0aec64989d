/**
 * "Your own CLIP models" in Chromium on a tiny generated CLIP pool in HF layouts (a CLIPModel
 * base, two CLIPVisionModel fine-tunes, an ImageFolder per task), fed through the page's
 * webkitdirectory inputs. The accuracy table's zero-shot, individual and merged rows must show
 * what the CLI's `eval --json` gives on the same files (the merge written by the CLI's `merge`
 * from the same recipe); AdaMerging runs a few steps, then a long run is cancelled; bad inputs
 * show their error beside the entry while the rest stays loaded.
 */
import { test, expect, type Page } from '@playwright/test';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyClipPool } from '../src/eval/testing/clip-tiny-pool';
import { TINY_CLIP } from '../src/eval/testing/clip-pool';
import type { WrittenPool } from '../src/eval/testing/clip-write-pool';
import { CLIP_PAGE_TASKS as TASKS } from '../src/worker/testing/clip-page';
import { commands } from '../src/cli/commands';
import { runCli } from '../src/cli/run';
import { formatPercent } from '../app/lib/format';
import { cliEval, type Accuracies } from './helpers/cliEval';
import { openStudio } from './helpers/studio';

let dir = '';
let pool: WrittenPool;
const want: { zeroShot: Accuracies; individual: Accuracies; merged: Accuracies } = {
  zeroShot: {},
  individual: {},
  merged: {},
};

const taskArg = (name: string) => ['--task', `${name}=${pool.data.get(name)}`];

/** The merged row's expected numbers: the CLI's `merge` of the recipe the page runs, eval'd. */
async function mergedByCli(): Promise<Accuracies> {
  const recipe = [
    'merge_method: task_arithmetic',
    `base_model: ${pool.base}`,
    'models:',
    ...TASKS.flatMap((t) => [
      `  - model: ${pool.finetunes.get(t.name)}`,
      '    parameters: { weight: 1 }',
    ]),
    'parameters: { lambda: 0.3, normalize: false }',
    'merge_studio:',
    '  task_specific: [text_model., text_projection., visual_projection., logit_scale]',
  ].join('\n');
  const config = join(dir, 'recipe.yml');
  await writeFile(config, recipe);
  const out = join(dir, 'merged');
  const io = { out: () => undefined, err: () => undefined };
  expect(
    await runCli(['merge', '--config', config, '--out', out, '--device', 'cpu'], io, commands),
  ).toBe(0);
  // The merged folder holds every CLIPModel tensor (the text side copied): the base's config fits.
  await copyFile(join(pool.base, 'config.json'), join(out, 'config.json'));
  return cliEval('--model', out, '--clip', pool.base, ...TASKS.flatMap((t) => taskArg(t.name)));
}

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ui-clip-'));
  pool = await writeTinyClipPool(dir, TASKS, { scale: 4 });
  want.zeroShot = await cliEval('--model', pool.base, ...TASKS.flatMap((t) => taskArg(t.name)));
  for (const t of TASKS) {
    const own = await cliEval(
      '--model',
      pool.finetunes.get(t.name)!,
      '--clip',
      pool.base,
      ...taskArg(t.name),
    );
    want.individual[t.name] = own[t.name]!;
  }
  want.merged = await mergedByCli();
});
test.afterAll(() => rm(dir, { recursive: true, force: true }));

const mean = (a: Accuracies) => Object.values(a).reduce((x, y) => x + y, 0) / Object.keys(a).length;

/** The row's cells as shown: average, then each task in load order. */
async function expectRow(page: Page, method: string, accuracies: Accuracies) {
  const row = page.getByTestId('clip-results').locator(`tr[data-method="${method}"]`);
  const cells = [mean(accuracies), ...TASKS.map((t) => accuracies[t.name]!)].map(formatPercent);
  await expect(row.locator('td')).toHaveText(cells);
}

async function loadPool(page: Page) {
  // The adapter probe takes long on lavapipe when the machine is loaded.
  await openStudio(page, '/?tf=wasm', 120_000);
  const panel = page.getByTestId('clip-panel');
  await panel.getByTestId('clip-base-input').setInputFiles(pool.base);
  await expect(panel.getByTestId('clip-base-status')).toContainText('CLIPModel');
  for (const [i, t] of TASKS.entries()) {
    await panel.getByTestId('clip-finetune-input').setInputFiles(pool.finetunes.get(t.name)!);
    await expect(panel.getByTestId(`clip-finetune-${i}-status`)).toContainText('CLIPVisionModel');
    await expect(panel.getByLabel(`Task of clip-${t.name}`)).toHaveValue(t.name);
    await panel.getByTestId(`clip-finetune-${i}-data-input`).setInputFiles(pool.data.get(t.name)!);
    await expect(panel.getByTestId(`clip-finetune-${i}-data-status`)).toContainText(
      `${t.classNames.length * t.perClass} images, ${t.classNames.length} classes`,
    );
  }
  return panel;
}

test('the accuracy table of your own CLIP models equals the CLI, and AdaMerging runs and cancels', async ({
  page,
}) => {
  const panel = await loadPool(page);
  await panel.getByRole('button', { name: 'Evaluate' }).click();
  await expectRow(page, 'base', want.zeroShot);
  await expectRow(page, 'individual', want.individual);
  await expectRow(page, 'task_arithmetic', want.merged);

  // A few AdaMerging steps: entropy per step streams in, the learned merge gets a row.
  await panel.getByLabel('AdaMerging steps').fill('3');
  await panel.getByLabel('AdaMerging batch size').fill('2');
  await panel.getByRole('button', { name: 'Run CLIP AdaMerging' }).click();
  const ada = panel.getByTestId('clip-ada');
  await expect(ada).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(ada).toHaveAttribute('data-steps', '3');
  await expect(panel.getByTestId('clip-footprint')).toContainText('device memory');
  await expect(
    page.getByTestId('clip-results').locator('tr[data-method="adamerging"] td'),
  ).toHaveCount(3);
  await expect(
    panel.getByRole('button', { name: /Download clip-adamerging-layer-wise/ }),
  ).toBeVisible();

  // A long run is cancelled after its first step.
  await panel.getByLabel('AdaMerging steps').fill('5000');
  await panel.getByRole('button', { name: 'Run CLIP AdaMerging' }).click();
  await expect(ada).toHaveAttribute('data-status', 'running');
  await expect.poll(async () => Number(await ada.getAttribute('data-steps'))).toBeGreaterThan(0);
  // A dispatched click: under load the page re-draws every few steps, and Playwright's
  // "stable element" wait for a real click can outlast the run.
  await panel.getByRole('button', { name: 'Cancel AdaMerging' }).dispatchEvent('click');
  await expect(ada).toHaveAttribute('data-status', 'cancelled');
  await expect(panel.getByTestId('clip-job-note')).toHaveText('Cancelled.');
});

test('a bad fine-tune or an empty task folder shows its error beside that entry only', async ({
  page,
}) => {
  const panel = await loadPool(page);
  // A fine-tune of another width: refused, naming the size; the two good ones stay.
  const other = await writeTinyClipPool(join(dir, 'other'), TASKS.slice(0, 1), {
    shape: { ...TINY_CLIP, vision: { ...TINY_CLIP.vision, hidden_size: 16 } },
  });
  await panel.getByTestId('clip-finetune-input').setInputFiles(other.finetunes.get('eurosat')!);
  await expect(panel.getByTestId('clip-finetune-2-error')).toContainText(
    'hiddenSize 16 differs from the base',
  );
  await expect(panel.getByTestId('clip-finetune-0-status')).toContainText('CLIPVisionModel');
  // A task folder whose class folder holds no image: the error beside that data entry.
  const empty = join(dir, 'empty-task');
  await mkdir(join(empty, 'forest'), { recursive: true });
  await writeFile(join(empty, 'forest', 'notes.txt'), 'not an image');
  await panel.getByTestId('clip-finetune-1-data-input').setInputFiles(empty);
  await expect(panel.getByTestId('clip-finetune-1-data-error')).toContainText(
    'class folder with no images',
  );
  await expect(panel.getByTestId('clip-finetune-0-data-status')).toContainText('images');
  await expect(panel.getByTestId('clip-base-status')).toContainText('CLIPModel');
});

test('the main panels act on the loaded CLIP checkpoints: their table, and AdaMerging on their tasks', async ({
  page,
}) => {
  await loadPool(page);
  // The checkpoint table holds the base (chosen) and the towers; the text side is task-specific.
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(1 + TASKS.length);
  await expect(page.getByLabel('Task-specific tensors')).toHaveValue(/text_model\./);
  const ada = page.getByRole('region', { name: 'AdaMerging', exact: true });
  await ada.getByLabel('Coefficients').selectOption('task');
  await ada.getByLabel('Steps', { exact: true }).fill('3');
  await ada.getByRole('button', { name: 'Run AdaMerging' }).click();
  await expect(page.getByTestId('ada-status')).toContainText('Done', { timeout: 120_000 });
  await expect(page.getByTestId('ada-status')).toContainText('Step 3 of 3');
  // Its row in Results, on the CLIP tasks.
  const results = page.getByRole('region', { name: 'Results' }).getByTestId('results-table');
  await expect(results.locator('thead th')).toHaveText([
    'Model',
    'Average',
    ...TASKS.map((t) => t.name),
  ]);
  await expect(results.locator('tr[data-method="adamerging"] td')).toHaveText(
    Array(TASKS.length + 1).fill(/^\d+(\.\d)?%$/),
  );
});
