import { expect, type Locator } from '@playwright/test';

/** What a line chart's tooltip shows at one x: its label and each series' value by name. */
export interface TooltipReading {
  label: string;
  values: Record<string, string>;
}

/**
 * Hovers the right edge of a recharts line chart's plot area (on a numeric x axis spanning the
 * data, the last point) and reads the tooltip, as a user reads the chart's numbers.
 */
export async function tooltipAtLastPoint(figure: Locator): Promise<TooltipReading> {
  const grid = figure.locator('.recharts-cartesian-grid');
  await grid.scrollIntoViewIfNeeded();
  const box = (await grid.boundingBox())!;
  const page = figure.page();
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
  const tooltip = figure.locator('.recharts-default-tooltip');
  await expect(tooltip).toBeVisible();
  const items = tooltip.locator('.recharts-tooltip-item');
  const values: Record<string, string> = {};
  for (const item of await items.all()) {
    const name = await item.locator('.recharts-tooltip-item-name').innerText();
    values[name] = await item.locator('.recharts-tooltip-item-value').innerText();
  }
  return { label: await tooltip.locator('.recharts-tooltip-label').innerText(), values };
}
