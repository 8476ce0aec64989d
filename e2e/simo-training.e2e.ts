import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { callInPage } from './in-page';
import { validationCount } from '../src/data';
import type { Flat, SimoTrainingCheck } from '../src/adapt/simo/in-page';

// The SIMO fixes' training on Chromium's real WebGPU adapter (lavapipe) against tfjs's cpu
// backend in the same page, on the demo pool (task arithmetic λ 0.3, the panel's 5 % validation
// images): the first gradients of each head re-alignment and of the representation
// re-alignment (at the start, B = 0, and at a seeded B ≠ 0), then the losses of every step and
// the trained tensors after 5 steps of both fixes. It caught tfjs-webgpu's AddN past the storage-
// buffer limit (src/tf/sum.ts): the representation fix's 18-tensor gradient clipping was wrong
// on WebGPU, its tensors 1e-2 apart from the cpu backend's after 5 steps (1.5e-7 with addMany).
// Fails without an adapter.

const maxAbs = (xs: number[]): number => xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const maxDiff = (a: number[], b: number[]): number =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

/** Same float32 math in different summation orders: 1e-4 of the group's largest value. */
function expectClose(label: string, webgpu: Flat, cpu: Flat, bound = 1e-4): void {
  expect(Object.keys(webgpu).sort()).toEqual(Object.keys(cpu).sort());
  for (const [group, c] of Object.entries(cpu)) {
    const w = webgpu[group]!;
    expect(w, `${label} ${group}`).toHaveLength(c.length);
    const scale = maxAbs(c);
    const worst = maxDiff(w, c);
    console.log(
      `${label} ${group}: max |webgpu − cpu| = ${worst.toExponential(2)} (max |cpu| ${scale.toExponential(2)}, ${c.length} values)`,
    );
    if (scale === 0) expect(maxAbs(w), `${label} ${group}: all zero on cpu`).toBe(0);
    else expect(worst / scale, `${label} ${group}`).toBeLessThan(bound);
  }
}

async function panelValidationImages(): Promise<number> {
  const manifest = JSON.parse(await readFile('public/simo/manifest.json', 'utf8')) as {
    data: { train: number };
  };
  return validationCount(manifest.data.train, 0.05);
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

test('SIMO training on WebGPU agrees with the cpu backend: first gradients and 5 steps', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto('/');
  const r = await callInPage<SimoTrainingCheck>(
    page,
    '/src/adapt/simo/in-page.ts',
    'simoTrainingCheckInPage',
    5,
  );
  console.log(`SIMO training check on ${r.adapter}, ${r.valImages} validation images`);
  expect(r.onOurDevice).toBe(true);
  // The panel's 5 % of the demo pool's training scenes.
  expect(r.valImages).toBe(await panelValidationImages());
  expectClose('first gradient', r.webgpu.gradients, r.cpu.gradients);
  // B = 0 at the start: A's gradient is exactly zero, B's is not.
  expect(maxAbs(r.cpu.gradients['representation: adapters A']!)).toBe(0);
  expect(maxAbs(r.cpu.gradients['representation: adapters B']!)).toBeGreaterThan(1e-4);
  for (const [k, l] of Object.entries(r.cpu.firstLoss))
    expect(relative(r.webgpu.firstLoss[k]!, l), `first loss ${k}`).toBeLessThan(1e-5);
  expect(Object.keys(r.cpu.losses)).toHaveLength(4);
  for (const [k, l] of Object.entries(r.cpu.losses)) {
    console.log(`losses ${k}: webgpu ${r.webgpu.losses[k]!.join(' ')} | cpu ${l.join(' ')}`);
    expect(l).toHaveLength(5);
    l.forEach((x, i) =>
      expect(relative(r.webgpu.losses[k]![i]!, x), `${k} step ${i}`).toBeLessThan(1e-5),
    );
  }
  expectClose(`after ${r.steps} steps`, r.webgpu.trained, r.cpu.trained, 1e-5);
});

test('a training step whose WebGPU kernel is invalid fails with a clear error', async ({
  page,
}) => {
  await page.goto('/');
  const error = await callInPage<{ name: string; message: string } | null>(
    page,
    '/src/adapt/simo/in-page.ts',
    'fitOnInvalidKernelInPage',
  );
  console.log(`fit on an invalid kernel: ${JSON.stringify(error)}`);
  expect(error).not.toBeNull();
  expect(error!.name).toBe('GpuDeviceError');
  expect(error!.message).toMatch(/^WebGPU validation error: /);
});
