import { test, expect } from '@playwright/test';
import { METHODS } from '../src/merge/registry';
import { dropFiles } from './helpers/drop';
import { trio } from './helpers/models';
import { checkpointRow, openStudio, screenshot } from './helpers/studio';

/** Labels as a reader expects them from the declared names ("mask_lambda" → "Mask lambda"). */
const label = (name: string) => {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};

test.beforeEach(async ({ page }) => {
  await openStudio(page);
  await dropFiles(page.getByTestId('drop-zone'), trio());
  await expect(page.getByTestId('checkpoint-row')).toHaveCount(3);
});

test('the method form is generated from every registry declaration', async ({ page }) => {
  const select = page.getByLabel('Merge method', { exact: true });
  await expect(select.locator('option')).toHaveCount(METHODS.length);
  for (const method of METHODS) {
    await select.selectOption(method.name);
    const form = page.getByRole('form', { name: 'Merge method settings' });
    // One control per per-model parameter and fine-tune (the base gets none when it is θ₀).
    for (const model of method.needsBase ? ['mnist', 'fashion'] : ['base', 'mnist', 'fashion']) {
      for (const spec of method.modelParams) {
        await expect(
          form.getByLabel(`${label(spec.name)} of ${model}.safetensors`, { exact: true }),
        ).toHaveCount(1);
      }
    }
    for (const spec of method.globalParams.filter((s) => !s.studioOnly)) {
      await expect(form.getByLabel(label(spec.name), { exact: true })).toHaveCount(1);
    }
    const paper = form.getByRole('link', { name: /Paper/ });
    if (method.paper) await expect(paper).toHaveAttribute('href', method.paper);
    else await expect(paper).toHaveCount(0);
  }
});

test('sliders work from the keyboard and follow the chosen base', async ({ page }) => {
  await page.getByLabel('Merge method', { exact: true }).selectOption('ties');
  const weight = page.getByLabel('Weight of mnist.safetensors', { exact: true });
  const weightBox = page.getByLabel('Weight of mnist.safetensors value');
  const step = METHODS.find((m) => m.name === 'ties')!.modelParams.find(
    (p) => p.name === 'weight',
  )!.step!;
  await weight.focus();
  await page.keyboard.press('ArrowRight');
  await expect(weightBox).toHaveValue(String(1 + step));
  await weightBox.fill('0.3');
  await expect(weight).toHaveValue('0.3');

  // Making mnist the base removes its sliders and gives the old base some.
  await checkpointRow(page, 'mnist.safetensors').getByRole('radio').check();
  await expect(page.getByLabel('Weight of mnist.safetensors', { exact: true })).toHaveCount(0);
  await expect(page.getByLabel('Weight of base.safetensors', { exact: true })).toHaveCount(1);
  await screenshot(page, 'method-ties');
});

test('a method that takes one model says so when more are loaded', async ({ page }) => {
  await page.getByLabel('Merge method', { exact: true }).selectOption('slerp');
  await expect(page.getByRole('status').filter({ hasText: 'at most 1 model' })).toBeVisible();
  await page.getByRole('button', { name: 'Remove fashion.safetensors' }).click();
  await expect(page.getByText('at most 1 model')).toHaveCount(0);
});
