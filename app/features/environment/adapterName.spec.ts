import { describe, expect, it } from 'vitest';
import type { AdapterDescription } from '../../../src/gpu/adapter';
import { adapterName } from './adapterName';

const adapter = (patch: Partial<AdapterDescription>): AdapterDescription => ({
  vendor: '',
  architecture: '',
  description: '',
  fallback: false,
  featureLevel: 'compatibility',
  maxStorageBufferBindingSize: 128 * 1024 ** 2,
  maxBufferSize: 256 * 1024 ** 2,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupSizeX: 128,
  ...patch,
});

describe('adapterName', () => {
  it('uses vendor and architecture when the browser tells them', () => {
    expect(adapterName(adapter({ vendor: 'google', architecture: 'swiftshader' }))).toBe(
      'google swiftshader',
    );
    expect(adapterName(adapter({ vendor: 'mesa' }))).toBe('mesa');
  });

  it('falls back to the description, then to the limits', () => {
    expect(adapterName(adapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(
      'llvmpipe (LLVM 15.0.6, 256 bits)',
    );
    expect(adapterName(adapter({}))).toBe(
      'GPU (name hidden) · 128.0 MiB per binding, 8 buffers/stage',
    );
  });
});
