import { test, expect } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeValidSafetensors, type TestTensor } from '../src/io/testing/corpus';
import { dropFiles } from './helpers/drop';
import { checkpointRow, openStudio, screenshot } from './helpers/studio';

// A tiny "model": two shared layers and a task head; parameters counted by hand below.
const tensors = (headClasses: number, hidden = 8): TestTensor[] => [
  { name: 'encoder.0.weight', dtype: 'F32', shape: [hidden, 4] }, // 8·4 = 32 (default hidden)
  { name: 'encoder.0.bias', dtype: 'F16', shape: [hidden] }, // 8
  { name: 'heads.cls.weight', dtype: 'F32', shape: [headClasses, hidden] }, // classes·8
];
const taskA = { name: 'task-a.safetensors', bytes: makeValidSafetensors(tensors(10)) };
const taskB = { name: 'task-b.safetensors', bytes: makeValidSafetensors(tensors(3)) };

test('dropping two safetensors files shows both in the table, compatible despite heads', async ({
  page,
}) => {
  await openStudio(page);
  await dropFiles(page.getByTestId('drop-zone'), [taskA, taskB]);

  const a = checkpointRow(page, 'task-a.safetensors');
  const b = checkpointRow(page, 'task-b.safetensors');
  await expect(a.locator('[data-col="tensors"]')).toHaveText('3');
  await expect(a.locator('[data-col="parameters"]')).toHaveText('120'); // 32 + 8 + 10·8
  await expect(b.locator('[data-col="parameters"]')).toHaveText('64'); // 32 + 8 + 3·8
  await expect(a.locator('[data-col="dtypes"]')).toHaveText('F32, F16');
  await expect(a.getByRole('radio')).toBeChecked(); // first loaded becomes the base

  // Heads differ in shape but match the default task-specific filter "heads.".
  const verdict = page.getByTestId('compatibility');
  await expect(verdict).toHaveAttribute('data-compatible', 'true');
  await expect(verdict).toContainText('2 tensors');
  await expect(verdict).toContainText('1 task-specific tensor');

  // Clearing the filter makes the head a real mismatch, listed with both shapes.
  await page.getByLabel('Task-specific tensors').fill('');
  await expect(verdict).toHaveAttribute('data-compatible', 'false');
  const mismatch = page.getByRole('list', { name: 'Mismatched tensors' });
  await expect(mismatch).toContainText('heads.cls.weight');
  await expect(mismatch).toContainText('[10, 8]');
  await expect(mismatch).toContainText('[3, 8]');
  await page.getByLabel('Task-specific tensors').fill('heads.');
  await expect(verdict).toHaveAttribute('data-compatible', 'true');

  await screenshot(page, 'loading-two-files');
});

test('a corrupt file shows its error beside it while the good file stays loaded', async ({
  page,
}) => {
  await openStudio(page);
  // Cut the data area short: the last tensor's offsets now run past the end of the file.
  const truncated = taskB.bytes.slice(0, taskB.bytes.length - 16);
  await dropFiles(page.getByTestId('drop-zone'), [
    taskA,
    { name: 'broken.safetensors', bytes: truncated },
  ]);

  const error = checkpointRow(page, 'broken.safetensors').getByTestId('checkpoint-error');
  await expect(error).toContainText('broken.safetensors');
  await expect(error).toContainText('heads.cls.weight');
  await expect(error).not.toContainText(/\bat .*:\d+:\d+/); // no stack trace
  await expect(
    checkpointRow(page, 'task-a.safetensors').locator('[data-col="parameters"]'),
  ).toHaveText('120');
  await expect(checkpointRow(page, 'broken.safetensors').getByRole('radio')).toBeDisabled();

  // A second drop adds to the table; removing the broken row keeps the others.
  await dropFiles(page.getByTestId('drop-zone'), [taskB]);
  await expect(
    checkpointRow(page, 'task-b.safetensors').locator('[data-col="tensors"]'),
  ).toHaveText('3');
  await screenshot(page, 'loading-corrupt-file');
  await page.getByRole('button', { name: 'Remove broken.safetensors' }).click();
  await expect(checkpointRow(page, 'broken.safetensors')).toHaveCount(0);
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(2);
});

test('without the File System Access API, <input type=file> loads checkpoints', async ({
  page,
}) => {
  await page.addInitScript(() => {
    delete (window as { showOpenFilePicker?: unknown }).showOpenFilePicker;
    delete (window as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  });
  await openStudio(page);
  const input = page.getByTestId('file-input');
  await expect(input).toHaveAttribute('type', 'file');
  await expect(page.getByTestId('folder-input')).toHaveAttribute('webkitdirectory', '');
  await input.setInputFiles([
    { name: taskA.name, mimeType: 'application/octet-stream', buffer: Buffer.from(taskA.bytes) },
    { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') },
  ]);
  await expect(
    checkpointRow(page, 'task-a.safetensors').locator('[data-col="parameters"]'),
  ).toHaveText('120');
  await expect(checkpointRow(page, 'notes.json').getByTestId('checkpoint-error')).toContainText(
    'notes.json',
  );
});

test('without the File System Access API, <input webkitdirectory> loads an HF folder with shards', async ({
  page,
}) => {
  await page.addInitScript(() => {
    delete (window as { showOpenFilePicker?: unknown }).showOpenFilePicker;
    delete (window as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  });
  // An HF layout written by hand: config.json, an index, two shards splitting the tensors.
  const dir = join(mkdtempSync(join(tmpdir(), 'studio-e2e-')), 'tiny-vit');
  mkdirSync(dir);
  const all = tensors(10);
  const shardFiles = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  writeFileSync(join(dir, shardFiles[0]!), makeValidSafetensors(all.slice(0, 2)));
  writeFileSync(join(dir, shardFiles[1]!), makeValidSafetensors(all.slice(2)));
  const weightMap = Object.fromEntries(all.map((t, i) => [t.name, shardFiles[i < 2 ? 0 : 1]]));
  writeFileSync(
    join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['TinyViT'] }));

  await openStudio(page);
  await page.getByTestId('folder-input').setInputFiles(dir);
  const row = checkpointRow(page, 'tiny-vit');
  await expect(row.locator('[data-col="parameters"]')).toHaveText('120');
  await expect(row.locator('[data-col="tensors"]')).toHaveText('3');
  await expect(row).toContainText('HF folder · 2 files · TinyViT');
});

test('without WebGPU the page shows the CPU fallback banner, not a blank page', async ({
  page,
}) => {
  await page.addInitScript(() => {
    Object.defineProperty(navigator, 'gpu', { value: undefined, configurable: true });
  });
  await openStudio(page);
  const banner = page.getByRole('alert').filter({ hasText: 'No WebGPU' });
  await expect(banner).toContainText('running on CPU');
  await expect(page.getByRole('heading', { name: 'Checkpoints' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open files…' })).toBeEnabled();
  // Loading still works on the fallback path.
  await dropFiles(page.getByTestId('drop-zone'), [taskA]);
  await expect(
    checkpointRow(page, 'task-a.safetensors').locator('[data-col="tensors"]'),
  ).toHaveText('3');
  await screenshot(page, 'no-webgpu-banner');
});

test('the layout holds in a narrow window', async ({ page }) => {
  await page.setViewportSize({ width: 420, height: 800 });
  await openStudio(page);
  await dropFiles(page.getByTestId('drop-zone'), [taskA, taskB]);
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(2);
  // Nothing may force the page wider than the window (tables scroll inside their box).
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await screenshot(page, 'narrow');
});
