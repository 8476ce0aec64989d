import { test, expect } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { callInPage } from './in-page';

interface AdapterRecord {
  label: string;
  fallback: boolean;
  featureLevel: string;
  maxStorageBufferBindingSize: number;
}

// Every GPU test depends on a real adapter: this fails (never skips) when there is none, and
// records which adapter the e2e run used.
test('a real WebGPU adapter is available and recorded', async ({ page }, testInfo) => {
  await page.goto('/');
  const info = await callInPage<AdapterRecord | null>(
    page,
    '/src/gpu/probe.ts',
    'describeBrowserGpu',
  );
  expect(info, 'no WebGPU adapter: GPU tests cannot run').not.toBeNull();
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/webgpu-adapter.json', JSON.stringify(info, null, 2));
  await testInfo.attach('webgpu-adapter', {
    body: JSON.stringify(info, null, 2),
    contentType: 'application/json',
  });
  console.log(`WebGPU adapter: ${info!.label}`);
  // On the CPU-only machines the non-fallback lavapipe adapter must win over SwiftShader.
  expect(info!.fallback).toBe(false);
  expect(info!.maxStorageBufferBindingSize).toBeGreaterThan(0);
});
