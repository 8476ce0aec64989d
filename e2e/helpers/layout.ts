import { expect, type Page } from '@playwright/test';
import { screenshot } from './studio';

/**
 * Blocks of one panel drawn over each other: every pair among the panel body's direct children
 * and the charts, tables, matrices and job boxes inside it, neither containing the other,
 * whose bounding boxes share more than 1 px². Also blocks sticking out of their panel (a
 * scrolling box may hold a wider table; the box itself must fit). "panel: a × b" strings.
 */
export function panelOverlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const BLOCKS = 'figure, table, .matrix-scroll, .table-scroll, .job, .heatmap, .dropzone';
    const problems: string[] = [];
    const name = (el: Element) =>
      el.getAttribute('data-testid') ??
      el.getAttribute('aria-label') ??
      `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
    const scrolls = (el: Element, stop: Element) => {
      for (let p = el.parentElement; p && p !== stop; p = p.parentElement) {
        const overflow = getComputedStyle(p).overflowX;
        if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') return true;
      }
      return false;
    };
    for (const panel of document.querySelectorAll('section.panel')) {
      const title = panel.querySelector('.panel__title')?.textContent ?? '?';
      const body = panel.querySelector('.panel__body');
      if (!body) continue;
      const blocks = [...body.children, ...body.querySelectorAll(BLOCKS)].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && !el.classList.contains('dropzone__overlay');
      });
      const unique = [...new Set(blocks)];
      const box = panel.getBoundingClientRect();
      for (const el of unique) {
        const r = el.getBoundingClientRect();
        if (!scrolls(el, panel) && (r.right > box.right + 1 || r.left < box.left - 1)) {
          problems.push(`${title}: ${name(el)} sticks out of the panel`);
        }
      }
      for (let i = 0; i < unique.length; i++) {
        for (let j = i + 1; j < unique.length; j++) {
          const a = unique[i]!;
          const b = unique[j]!;
          if (a.contains(b) || b.contains(a)) continue;
          const ra = a.getBoundingClientRect();
          const rb = b.getBoundingClientRect();
          const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (w > 1 && h > 1 && w * h > 1) problems.push(`${title}: ${name(a)} × ${name(b)}`);
        }
      }
    }
    return problems;
  });
}

/**
 * Tick labels of one chart's axes printed over each other, or an x axis's labels on its line:
 * "chart: 'a' × 'b'" strings. recharts 3 draws an axis's tick labels in a layer of their own
 * (`.recharts-xAxis-tick-labels`), apart from its line and tick marks (`.recharts-xAxis`), so
 * both are looked at; a chart with an axis but no labels found is a problem too (the check
 * would otherwise pass by finding nothing, as it did before it knew that layer).
 */
export function axisLabelOverlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const GROUPS = '.recharts-cartesian-axis, .recharts-cartesian-axis-tick-labels';
    for (const chart of document.querySelectorAll('figure')) {
      const label = chart.getAttribute('aria-label') ?? 'chart';
      const xLine = chart
        .querySelector('.recharts-xAxis .recharts-cartesian-axis-line')
        ?.getBoundingClientRect();
      let found = 0;
      for (const group of chart.querySelectorAll(GROUPS)) {
        const boxes = [...group.querySelectorAll('text')]
          .map((t) => ({ text: t.textContent ?? '', r: t.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0);
        found += boxes.length;
        // An x axis's labels hang below its line (a label drawn on the line is struck through).
        const isX = /recharts-xAxis/.test(group.getAttribute('class') ?? '');
        for (const { text, r } of isX && xLine ? boxes : []) {
          if (r.top < xLine!.bottom + 1) problems.push(`${label}: '${text}' on the x axis line`);
        }
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!.r;
            const b = boxes[j]!.r;
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (w > 0.5 && h > 0.5) {
              problems.push(`${label}: '${boxes[i]!.text}' × '${boxes[j]!.text}'`);
            }
          }
        }
      }
      if (xLine && found === 0) problems.push(`${label}: no axis labels found`);
    }
    return problems;
  });
}

/** The widths the studio's layouts are checked at (issue 18): a laptop, a desktop, a wide screen. */
export const LAYOUT_WIDTHS = [1024, 1400, 1920] as const;

/**
 * At one width: no panel draws blocks over each other or out of itself, no chart prints axis
 * labels over each other.
 */
export async function expectLayoutHoldsAt(page: Page, width: number, name: string): Promise<void> {
  await page.setViewportSize({ width, height: 1000 });
  await page.waitForTimeout(300); // ResponsiveContainer re-measures on resize
  expect(await panelOverlaps(page), `${name}: overlapping blocks at ${width} px`).toEqual([]);
  expect(await axisLabelOverlaps(page), `${name}: axis labels at ${width} px`).toEqual([]);
}

/**
 * The layout checks at every width of LAYOUT_WIDTHS, each with a full-page screenshot
 * test-results/screens/<name>-<width>.png. The viewport is put back to the width it had.
 */
export async function expectLayoutsHold(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const width of LAYOUT_WIDTHS) {
    await expectLayoutHoldsAt(page, width, name);
    await screenshot(page, `${name}-${width}`);
  }
  if (before) await page.setViewportSize(before);
}
