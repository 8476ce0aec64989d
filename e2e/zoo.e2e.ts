import { test, expect } from '@playwright/test';
import { callInPage } from './in-page';
import type { InPageZooReport } from '../src/eval/in-page';

// The committed demo zoo, fetched from /zoo/ and evaluated on WebGPU inside the page, against
// tfjs's cpu backend on the same images. Fails if there is no WebGPU adapter.
test('the demo zoo loads in the page and its fine-tunes score on WebGPU as on the CPU', async ({
  page,
}) => {
  test.setTimeout(170_000);
  await page.goto('/');
  const r = await callInPage<InPageZooReport>(
    page,
    '/src/eval/in-page.ts',
    'evaluateZooInPage',
    '/zoo/',
    20,
  );
  console.log(
    `zoo on ${r.backend} (${r.adapter}) in ${r.webgpuMs.toFixed(0)} ms: ${JSON.stringify(r.webgpu)}`,
  );
  expect(r.backend).toBe('webgpu');
  expect(r.tasks).toHaveLength(8);
  for (const t of r.tasks) {
    // 20 images per task: a loose floor; the Node spec checks 200 per task against the record.
    expect(r.webgpu[t], t).toBeGreaterThanOrEqual(0.7);
    // Float differences between backends may flip a borderline image, not more.
    expect(r.agreement[t], t).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(r.webgpu[t]! - r.cpu[t]!), t).toBeLessThanOrEqual(0.05);
  }
});
