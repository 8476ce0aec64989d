import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { memorySource, openSafetensors } from '../src/io';
import { dropFiles } from './helpers/drop';
import { sharedValues, SHARED, tinyModel, trio } from './helpers/models';
import { openStudio, screenshot } from './helpers/studio';

// The same merge on the WebGPU kernels and on the CPU reference (?gpu=off) must give the
// hand-computed numbers; a missing adapter fails the WebGPU case rather than skipping it.
for (const { path, device } of [
  { path: '/', device: 'WebGPU' },
  { path: '/?gpu=off', device: 'CPU' },
]) {
  test(`merging on ${device} gives task arithmetic θ₀ + λ·Σ wₜ·τₜ, downloadable`, async ({
    page,
  }) => {
    await openStudio(page, path);
    await dropFiles(page.getByTestId('drop-zone'), trio());
    await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
    await page.getByLabel('Merge method', { exact: true }).selectOption('task_arithmetic');
    await page.getByLabel('Weight of mnist.safetensors value').fill('0.5');
    await page.getByLabel('Lambda value', { exact: true }).fill('0.8');

    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect(page.getByTestId('run-status')).toHaveText('Merged.');
    const summary = page.getByTestId('merge-summary');
    await expect(summary).toContainText('3 (2 merged, 1 copied)');
    await expect(summary).toContainText(`on ${device}`);
    await screenshot(page, `merged-${device.toLowerCase()}`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      summary.getByRole('link', { name: 'Download merged.safetensors' }).click(),
    ]);
    const bytes = new Uint8Array(readFileSync(await download.path()));
    const merged = await openSafetensors(memorySource(bytes, 'merged.safetensors'));
    // Shifts: base 0, mnist +0.25 (w = 0.5), fashion −0.5 (w = 1); λ = 0.8, no normalize.
    const delta = 0.8 * (0.5 * 0.25 + 1 * -0.5);
    expect(delta).toBeCloseTo(-0.3, 10);
    for (const { name, dtype } of SHARED) {
      const got = await merged.readF32(name);
      const want = sharedValues(name, 0).map((v) => v + delta);
      const tolerance = dtype === 'F16' ? 1e-3 : 1e-6;
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(tolerance));
      expect(merged.tensors.get(name)!.dtype).toBe(dtype);
    }
    expect(merged.tensors.has('heads.cls.weight')).toBe(true);
  });
}

test('Merge stays disabled with the reason while checkpoints are incompatible', async ({
  page,
}) => {
  await openStudio(page);
  await dropFiles(page.getByTestId('drop-zone'), [
    tinyModel('base.safetensors', 5),
    tinyModel('task.safetensors', 10),
  ]);
  await expect(page.getByTestId('compatibility')).toHaveAttribute('data-compatible', 'true');
  await expect(page.getByRole('button', { name: 'Merge', exact: true })).toBeEnabled();
  await page.getByLabel('Task-specific tensors').fill('');
  await expect(page.getByRole('button', { name: 'Merge', exact: true })).toBeDisabled();
  // The reason stands beside the disabled button (the checkpoints panel says it too).
  await expect(page.locator('#merge-blocker')).toContainText('The checkpoints are not compatible');
});
