import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedPath, renderKernelModule } from './generate';
import { loadKernels } from './kernels';

describe('SIMD kernel module', () => {
  it('kernels.generated.ts is kernels.wat compiled (re-run generate.ts after editing it)', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await renderKernelModule());
  });
  it('instantiates in Node (WebAssembly SIMD present)', () => {
    expect(loadKernels()).toBeDefined();
  });
});
