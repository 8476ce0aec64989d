/**
 * The studio at the README's URL (`/?demo=clip`, no `?tf=` flag) chooses where evaluation runs by
 * itself: it times a forward pass on each tfjs backend, takes the fastest, says so in the
 * header, and remembers the choice for this adapter (a reload does not measure again). Then
 * the demo's results appear without a click, and a Live slider move shows a labelled estimate
 * (images per task and a ± on the average) before the full test sets. Behaviour, not timings:
 * the timings are `npm run bench -- --only ui`.
 */
import { test, expect, type Page } from '@playwright/test';
import { openStudio } from './helpers/studio';

// Load demo (the tiny-CLIP demo) merges and evaluates in the main panels by itself.
const README_URL = '/?demo=clip';

test.setTimeout(8 * 60_000);

/** The probe's numbers as the header's tooltip states them: backend → ms. */
async function probeTimes(page: Page): Promise<Record<string, number>> {
  const title = (await page.getByTestId('eval-backend').getAttribute('title')) ?? '';
  const times: Record<string, number> = {};
  for (const [, name, ms] of title.matchAll(/(WebGPU|wasm|CPU) (\d+) ms/g))
    times[name!] = Number(ms);
  return times;
}

/** Records every text the Live row takes, inside the page (the estimate is replaced quickly). */
async function recordLiveRow(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __liveTexts: string[] };
    w.__liveTexts = [];
    const table = document.querySelector('.area-results [data-testid="results-table"]')!;
    new MutationObserver(() => {
      const row = [...table.querySelectorAll('tr')].find((r) =>
        (r.textContent ?? '').startsWith('Live:'),
      );
      if (row?.textContent) w.__liveTexts.push(row.textContent);
    }).observe(table, { subtree: true, childList: true, characterData: true });
  });
}

test('the default URL measures the backends, shows and remembers the choice, and evaluates on it', async ({
  page,
}) => {
  await openStudio(page, README_URL, 120_000);
  const backend = page.getByTestId('eval-backend');
  await expect(backend).toHaveAttribute('data-how', 'measured', { timeout: 120_000 });
  const times = await probeTimes(page);
  const measured = Object.keys(times);
  expect(measured).toContain('wasm');
  if (await page.getByTestId('adapter-badge').count()) expect(measured).toContain('WebGPU');
  // The choice is the fastest of what was measured, and the header names it.
  const fastest = measured.reduce((a, b) => (times[b]! < times[a]! ? b : a));
  const shown = { WebGPU: 'webgpu', wasm: 'wasm', CPU: 'cpu' }[fastest];
  await expect(backend).toHaveAttribute('data-backend', shown!);
  await expect(backend).toContainText(`Evaluation: ${fastest}`);

  // Load demo (by ?demo) merged and evaluated: the merge, base + heads and the fine-tunes.
  const table = page.getByRole('region', { name: 'Results' }).getByTestId('results-table');
  for (const method of ['task_arithmetic', 'base', 'individual']) {
    const row = table.locator(`tr[data-method="${method}"]`);
    await expect(row).toHaveCount(1, { timeout: 240_000 });
    await expect(row.locator('td')).toHaveCount(9); // the average and 8 tasks
    await expect(row.locator('td').first()).toHaveText(/^\d+(\.\d+)?%$/);
  }

  // Live: a slider moved with the keyboard gives an estimate with n and ±, then the full sets.
  await page.getByLabel('Live: re-merge and evaluate on every change').check();
  const status = page.getByTestId('live-status');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 1\b/, { timeout: 120_000 });
  await recordLiveRow(page);
  await page
    .getByRole('slider', { name: /^Weight of / })
    .first()
    .press('ArrowLeft');
  await expect(status).toHaveText(/Updated in \d+ ms \(run 2\b/, { timeout: 120_000 });
  const texts = await page.evaluate(
    () => (window as unknown as { __liveTexts: string[] }).__liveTexts,
  );
  const estimate = texts.find((t) => t.includes('estimate ·'));
  expect(estimate, `the Live row's texts: ${texts.join(' | ')}`).toMatch(
    /estimate · \d+\/task · avg ±\d+\.\d/,
  );
  // The full test sets replace it: more images per task, no longer labelled an estimate.
  const live = table.getByRole('row', { name: /^Live: / });
  await expect(live).not.toContainText('estimate');
  const full = Number(/(\d+)\/task/.exec(await live.innerText())?.[1]);
  expect(full).toBeGreaterThan(Number(/estimate · (\d+)\/task/.exec(estimate!)?.[1]));

  // A reload reuses the measurement for this adapter instead of probing again.
  await openStudio(page, '/');
  await expect(backend).toHaveAttribute('data-how', 'remembered', { timeout: 60_000 });
  await expect(backend).toHaveAttribute('data-backend', shown!);
});
