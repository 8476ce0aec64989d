import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedPath, renderShaderModule } from './generate-shaders';

describe('generated WGSL module', () => {
  it('is up to date with src/gpu/kernels/wgsl/*.wgsl (run generate-shaders.ts if not)', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await renderShaderModule());
  });
});
