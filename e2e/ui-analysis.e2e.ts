import { test, expect, type Page } from '@playwright/test';
import { makeValidSafetensors } from '../src/io/testing/corpus';
import { dropFiles } from './helpers/drop';
import { checkpointRow, openStudio, screenshot } from './helpers/studio';

/*
 * A base and three fine-tunes with hand-picked task vectors (blocks.0.w | blocks.1.w):
 *   τX = [ 2, 0, 0, 0 | 0, 0]   ‖τX‖ = 2
 *   τY = [ 1, 1, 0, 0 | 0, 0]   ‖τY‖ = √2 = 1.41
 *   τZ = [−1, 2, 0, 3 | 0, 4]   ‖τZ‖ = √30 = 5.48
 * cos(X,Y) = 2/(2·√2) = 0.71; cos(X,Z) = −2/(2·√30) = −0.18; cos(Y,Z) = (−1+2)/(√2·√30) = 0.13.
 * Sign conflicts (coordinates non-zero in both): X,Y idx 0 same → 0.00; X,Z idx 0 opposite →
 * 1.00; Y,Z idx 0 opposite, idx 1 same → 0.50. The heads differ in shape and are left out.
 */
const BASE0 = [0.5, -0.5, 0.25, 1];
const BASE1 = [1, 1];
const TAUS: Record<string, [number[], number[]]> = {
  X: [
    [2, 0, 0, 0],
    [0, 0],
  ],
  Y: [
    [1, 1, 0, 0],
    [0, 0],
  ],
  Z: [
    [-1, 2, 0, 3],
    [0, 4],
  ],
};

function model(name: string, tau: [number[], number[]] | null, headRows: number) {
  const add = (base: number[], d: number[] | undefined) => base.map((v, i) => v + (d?.[i] ?? 0));
  return {
    name: `${name}.safetensors`,
    bytes: makeValidSafetensors([
      { name: 'blocks.0.w', dtype: 'F32', shape: [4], values: add(BASE0, tau?.[0]) },
      { name: 'blocks.1.w', dtype: 'F32', shape: [2], values: add(BASE1, tau?.[1]) },
      { name: 'heads.cls', dtype: 'F32', shape: [headRows, 2] },
    ]),
  };
}

const cell = (page: Page, matrix: string, row: string, col: string) =>
  page
    .getByTestId(matrix)
    .locator(`td[data-row="${row}.safetensors"][data-col="${col}.safetensors"]`);

test('task-vector analysis shows the hand-worked cosines, conflicts and norms', async ({
  page,
}) => {
  await openStudio(page);
  await dropFiles(page.getByTestId('drop-zone'), [
    model('base', null, 1),
    model('X', TAUS.X!, 2),
    model('Y', TAUS.Y!, 3),
    model('Z', TAUS.Z!, 4),
  ]);
  await expect(checkpointRow(page, 'Z.safetensors').locator('[data-col="tensors"]')).toHaveText(
    '3',
  );
  await expect(checkpointRow(page, 'base.safetensors').getByRole('radio')).toBeChecked();
  await page.getByRole('button', { name: 'Analyse task vectors' }).click();

  const cosines: [string, string, string][] = [
    ['X', 'Y', '0.71'],
    ['Y', 'X', '0.71'],
    ['X', 'Z', '-0.18'],
    ['Y', 'Z', '0.13'],
    ['Z', 'Z', '1.00'],
  ];
  for (const [a, b, text] of cosines)
    await expect(cell(page, 'cosine-matrix', a, b)).toHaveText(text);
  const conflicts: [string, string, string][] = [
    ['X', 'Y', '0.00'],
    ['X', 'Z', '1.00'],
    ['Y', 'Z', '0.50'],
    ['Z', 'Y', '0.50'],
  ];
  for (const [a, b, text] of conflicts)
    await expect(cell(page, 'conflict-matrix', a, b)).toHaveText(text);
  await expect(page.getByText(/2 tensors, 6 parameters per task vector/)).toContainText(
    'X.safetensors 2.00, Y.safetensors 1.41, Z.safetensors 5.48',
  );
  // One line per task over blocks 0 and 1.
  await expect(page.getByTestId('layer-norms').locator('.recharts-line')).toHaveCount(3);
  await screenshot(page, 'analysis');
});
