import { test, expect } from '@playwright/test';
import { callInPage } from './in-page';
import type { InPageReport } from '../src/gpu/testing/compare-in-page';
import type { AddManyCheck } from '../src/tf/in-page';
import type { TiesBenchResult } from '../bench/gpu/ties-bench';
import { compensatedFailures, type CompensatedReport } from '../src/gpu/testing/compensated-cases';

// WebGPU merge kernels on Chromium's real adapter (lavapipe, compatibility mode) against the
// CPU reference, both run inside the page on the same seeded jobs. Fails if there is no adapter.
test('WebGPU merge kernels equal the CPU reference in the browser', async ({ page }) => {
  test.setTimeout(150_000);
  await page.goto('/');
  const report = await callInPage<InPageReport>(
    page,
    '/src/gpu/testing/compare-in-page.ts',
    'runKernelComparison',
  );
  console.log(`kernels on ${report.adapter}`);
  for (const j of report.jobs) {
    console.log(
      `${j.label.padEnd(34)} maxRel ${j.maxRelError.toExponential(2)} gross ${j.gross} gpu ${j.gpuMs.toFixed(1)} ms cpu ${j.cpuMs.toFixed(1)} ms`,
    );
  }
  expect(report.validationError).toBeNull();
  expect(report.fallback).toBe(false);
  expect(report.jobs.length).toBeGreaterThanOrEqual(30);
  for (const j of report.jobs) {
    expect(j.gross, `${j.label}: mask/sign mismatches`).toBe(0);
    expect(j.maxRelError, `${j.label}: max relative error`).toBeLessThanOrEqual(1e-6);
  }
  expect(report.uniformsChecked).toBe(100_003);
  expect(report.uniformMismatches).toBe(0);
  expect(report.selector.gpu).toEqual(report.selector.cpu);
  expect(report.selector.gpuAddAll).toEqual(report.selector.cpu);
  expect(report.selector.cpu.every((t) => t > 0 && Number.isFinite(t))).toBe(true);
});

// The exact SVD's compensated products (matmul.wgsl COMPENSATED) through Chromium's compiler
// path (Tint → SPIR-V → lavapipe), which Node's specs (Dawn GLES) do not cover.
test('compensated matmul keeps its TwoProduct and TwoSum errors in the browser', async ({
  page,
}) => {
  test.setTimeout(60_000);
  await page.goto('/');
  const { adapter, report } = await callInPage<{ adapter: string; report: CompensatedReport }>(
    page,
    '/src/gpu/testing/compensated-cases.ts',
    'compensatedInPage',
  );
  console.log(`compensated matmul on ${adapter}: ${JSON.stringify(report)}`);
  expect(compensatedFailures(report)).toEqual([]);
});

// docs/gpu.md's browser timing: one 8 × 4M TIES tensor, GPU vs plain CPU reference in the page.
test('an 8 × 4M TIES tensor: timing on lavapipe and equality with the CPU reference', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.goto('/');
  const r = await callInPage<TiesBenchResult>(
    page,
    '/bench/gpu/ties-in-page.ts',
    'benchTiesInPage',
  );
  console.log(
    `TIES 8×4M on ${r.adapter}: GPU ${r.gpuMs.toFixed(0)} ms (cold ${r.gpuColdMs.toFixed(0)} ms), CPU reference ${r.cpuMs.toFixed(0)} ms, ratio ${(r.cpuMs / r.gpuMs).toFixed(1)}×; profiled phases ${JSON.stringify(r.phases)}`,
  );
  expect(r.gross).toBe(0);
  expect(r.maxRelError).toBeLessThanOrEqual(1e-6);
  expect(r.gpuMs).toBeGreaterThan(0);
});

// tfjs-backend-webgpu's AddN does not split its inputs: past the device's storage-buffer limit
// it returns stale memory (src/tf/sum.ts). The core sums through addMany; this is its check on
// the real adapter, with tfjs's own AddN beside it for the record.
test('addMany sums any number of tensors on WebGPU', async ({ page }) => {
  await page.goto('/');
  const r = await callInPage<AddManyCheck>(
    page,
    '/src/tf/in-page.ts',
    'addManyCheckInPage',
    [1, 2, 7, 8, 15, 16, 18, 40, 60],
  );
  console.log(`maxStorageBuffersPerShaderStage ${r.maxStorageBuffers}`);
  for (const row of r.rows) {
    console.log(
      `${row.inputs} inputs: exact ${row.exact}, addMany ${row.addMany}, tf.addN ${row.tfAddN}`,
    );
    expect(row.addMany, `${row.inputs} inputs`).toBe(row.exact);
  }
  // The case this guards: more inputs than the device binds.
  expect(Math.max(...r.rows.map((x) => x.inputs))).toBeGreaterThan(r.maxStorageBuffers);
});
