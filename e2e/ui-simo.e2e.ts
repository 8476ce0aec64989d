/**
 * The "Dense multi-task (SIMO)" panel on the committed demo pool (public/simo), tfjs-wasm:
 * Load SIMO demo, a short run with both fixes, the ΔMTL table's rows with numeric cells, and
 * the pictures: the input and ground-truth canvases equal the scenes rendered in Node, the
 * single-task canvases equal the core's predictDense on the same files colour-mapped in Node,
 * and the re-aligned canvases equal the exported model's predictions (read back in Node).
 * Backends differ in the last float bits, so model pictures must agree on ≥ 97 % of pixels.
 */
import { test, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { readSimoPool } from '../src/adapt/simo/pool';
import { denseSubset, renderDenseSet } from '../src/data';
import { predictDense } from '../src/eval/dense/evaluate';
import { rgbToRgba, taskToRgba } from '../src/eval/dense/pictures';
import { paramsFromBytes } from '../src/merge';
import type { Params } from '../src/core';
import { expectLayoutsHold } from './helpers/layout';
import { openStudio } from './helpers/studio';

const IMAGE = 0;

async function pixels(page: Page, model: string, task: string): Promise<number[]> {
  const canvas = page.locator(
    `canvas[data-image="${IMAGE}"][data-model="${model}"][data-task="${task}"]`,
  );
  await expect(canvas).toHaveCount(1);
  return canvas.evaluate((c: HTMLCanvasElement) =>
    Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
  );
}

function agreement(got: number[], want: Uint8ClampedArray): number {
  let same = 0;
  for (let i = 0; i < want.length; i += 4)
    if (got[i] === want[i] && got[i + 1] === want[i + 1] && got[i + 2] === want[i + 2]) same++;
  return same / (want.length / 4);
}

test('SIMO panel: demo, run, table, pictures equal the models outputs', async ({ page }) => {
  test.setTimeout(240_000);
  await tf.setBackend('cpu');
  const pool = await readSimoPool(
    await readFile('public/simo/manifest.json', 'utf8'),
    'manifest.json',
    async (file) => new Uint8Array(await readFile(`public/simo/${file}`)),
  );
  const { config, data } = pool.manifest;
  const scene = denseSubset(renderDenseSet(data.seed, 'test', IMAGE + 1, data.size), [IMAGE]);

  await openStudio(page, '/?tf=wasm');
  const panel = page.getByTestId('simo-panel');
  await panel.getByRole('button', { name: 'Load SIMO demo' }).click();
  await expect(page.getByTestId('simo-pool')).toHaveAttribute('data-status', 'ready');
  await panel.getByLabel('SIMO steps').fill('10');
  await panel.getByLabel('SIMO test scenes').fill('3');
  await panel.getByRole('button', { name: 'Run SIMO' }).click();
  const table = page.getByTestId('simo-table');
  await expect(table.locator('tbody tr')).toHaveCount(5, { timeout: 180_000 });
  for (const row of [
    'single-task',
    'joint multi-task',
    '+ head re-align',
    '+ representation re-align',
  ])
    await expect(table.locator(`tr[data-row="${row}"]`)).toHaveCount(1);
  for (const cell of await table.getByTestId('simo-delta').allTextContents())
    expect(Number.isFinite(Number(cell))).toBe(true);
  await expect(page.getByTestId('simo-loss')).toBeVisible();
  await expect(page.getByTestId('simo-picture')).toHaveCount(3);
  // The filled panel (table, loss curves, pictures, heatmap) holds its layout at every width.
  await expectLayoutsHold(page, 'simo-layout');

  // Input and ground truth: exact (the scenes are a pure function of seed and index).
  expect(await pixels(page, 'input', 'rgb')).toEqual(Array.from(rgbToRgba(scene.rgb)));
  const truth = { segmentation: scene.label, depth: scene.depth, normals: scene.normal };
  for (const t of config.tasks)
    expect(await pixels(page, 'ground truth', t.name)).toEqual(
      Array.from(taskToRgba(t.kind, truth[t.kind], scene.depth)),
    );

  // Single-task: the fine-tunes themselves, predicted here.
  for (const t of config.tasks) {
    const [p] = await predictDense(pool.singles.get(t.name)!, scene, config, { tasks: [t] });
    const want = taskToRgba(t.kind, p!.values, scene.depth);
    expect(agreement(await pixels(page, 'single-task', t.name), want), t.name).toBeGreaterThan(
      0.97,
    );
  }

  // Re-aligned: the exported file (encoder, decoders, adapters), predicted here.
  await panel.getByRole('button', { name: 'Export re-aligned SIMO model' }).click();
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: /^Download simo-.*\.safetensors$/ }).click();
  const path = await (await download).path();
  const all = await paramsFromBytes(new Uint8Array(await readFile(path)), 'export');
  const params: Params = new Map([...all].filter(([k]) => !k.startsWith('adapters.')));
  const adapters: Params = new Map([...all].filter(([k]) => k.startsWith('adapters.')));
  expect(adapters.size).toBe(2 * config.encoder.depth);
  const predicted = await predictDense(params, scene, config, { adapters });
  for (const { task, values } of predicted) {
    const want = taskToRgba(task.kind, values, scene.depth);
    const got = await pixels(page, '+ representation re-align', task.name);
    expect(agreement(got, want), task.name).toBeGreaterThan(0.97);
    // A different model's picture would not pass: the merge's differs somewhere.
  }
});
