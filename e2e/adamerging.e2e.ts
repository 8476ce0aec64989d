import { test, expect } from '@playwright/test';
import { callInPage } from './in-page';
import type { InPageAdaMergingReport } from '../src/adapt/adamerging/in-page';

// AdaMerging on Chromium's real WebGPU adapter (lavapipe, compatibility mode), which runs the
// fused WGSL step (src/adapt/adamerging/fused): a short layer-wise run on a tiny synthetic zoo
// (full batch, so step losses are comparable), then the first step's gradient on WebGPU against
// tfjs autodiff on the cpu backend in the same page — on the tiny ViT and on the demo zoo's
// shapes. Fails without an adapter.

type Comparison = InPageAdaMergingReport['gradient'];

/** Same float32 math, different summation orders: 1e-3 of the largest |g|; losses to 1e-4. */
function expectAgreement(label: string, c: Comparison): void {
  const { webgpu, cpu, lossWebgpu, lossCpu } = c;
  expect(webgpu).toHaveLength(cpu.length);
  const scale = Math.max(...cpu.map(Math.abs));
  expect(scale).toBeGreaterThan(1e-4);
  const worst = Math.max(...webgpu.map((g, i) => Math.abs(g - cpu[i]!)));
  console.log(
    `${label}: first-step gradient max |webgpu − cpu| = ${worst.toExponential(2)} (max |g| ${scale.toExponential(2)})`,
  );
  expect(worst).toBeLessThan(1e-3 * scale);
  lossWebgpu.forEach((l, k) => expect(Math.abs(l - lossCpu[k]!)).toBeLessThan(1e-4));
}

test('AdaMerging on WebGPU in the page: entropy falls, λ moves, gradients match cpu', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.goto('/');
  const r = await callInPage<InPageAdaMergingReport>(
    page,
    '/src/adapt/adamerging/in-page.ts',
    'adamergingInPage',
    8,
  );
  console.log(
    `AdaMerging on ${r.adapter} (${r.engine}): entropy ${r.entropies.map((e) => e.toFixed(4)).join(' → ')}, max |λ−0.3| ${r.lambdaMove.toFixed(3)}`,
  );
  expect(r.backend).toBe('webgpu');
  // tfjs (and so the fused engine) on the adapter src/gpu picked, not tfjs's own default.
  expect(r.onOurDevice).toBe(true);
  expect(r.engine).toBe('fused-webgpu');
  expect(r.entropies).toHaveLength(8);
  expect(r.entropies.at(-1)!).toBeLessThan(r.entropies[0]! - 0.01);
  expect(r.lambdaMove).toBeGreaterThan(0.05);
  expect(r.lambdasInRange).toBe(true);
  expectAgreement('tiny ViT', r.gradient);
  expectAgreement('zoo-shaped ViT', r.zooShaped);
});
