import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { memorySource, openSafetensors } from '../src/io';
import { dropFiles } from './helpers/drop';
import { sharedValues, SHARED, trio } from './helpers/models';
import { checkpointRow, openStudio, screenshot } from './helpers/studio';

// TIES in the page on the WebGPU kernels: save the output, check its values against a
// hand-worked election, then load the saved file back into the studio.
test('a TIES merge on WebGPU is saved, matches the hand-worked election and loads back', async ({
  page,
}) => {
  await openStudio(page);
  await dropFiles(page.getByTestId('drop-zone'), trio());
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
  await page.getByLabel('Merge method', { exact: true }).selectOption('ties');
  await page.getByLabel('Weight of fashion.safetensors value').fill('0.4');
  // The form starts at the TIES paper's density 0.2; the hand-worked election below keeps all.
  await page.getByLabel('Density of mnist.safetensors value').fill('1');
  await page.getByLabel('Density of fashion.safetensors value').fill('1');

  await page.getByRole('button', { name: 'Merge', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Merged.');
  const summary = page.getByTestId('merge-summary');
  await expect(summary).toContainText('on WebGPU');
  await screenshot(page, 'merged-ties-webgpu');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    summary.getByRole('link', { name: 'Download merged.safetensors' }).click(),
  ]);
  const bytes = new Uint8Array(readFileSync(await download.path()));
  const merged = await openSafetensors(memorySource(bytes, 'merged.safetensors'));
  // Task vectors are constant: mnist +0.25 (w = 1), fashion −0.5 (w = 0.4). Density 1 keeps
  // all. Election by weighted mass: 1·0.25 + 0.4·(−0.5) = +0.05 ≥ 0 → sign +, so only mnist
  // agrees; normalized by the agreeing weight (1): mixed = 0.25; λ = 1 → θ = θ₀ + 0.25.
  // (Task arithmetic would give 0.25 − 0.2 = +0.05: the test tells the two apart.)
  for (const { name, dtype } of SHARED) {
    const got = await merged.readF32(name);
    const want = sharedValues(name, 0).map((v) => v + 0.25);
    const tolerance = dtype === 'F16' ? 1e-3 : 1e-6;
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(tolerance));
  }
  expect(merged.metadata['merge_recipe']).toContain('merge_method: ties');

  await dropFiles(page.getByTestId('drop-zone'), [{ name: 'ties-out.safetensors', bytes }]);
  const row = checkpointRow(page, 'ties-out.safetensors');
  await expect(row.getByText('Loaded', { exact: true })).toBeVisible();
  await expect(row.locator('[data-col="tensors"]')).toHaveText(String(merged.tensors.size));
});
