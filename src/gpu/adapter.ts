/**
 * Picks a WebGPU adapter the way shared/BROWSER.md recommends: ask for a core adapter; if
 * there is none, or it is a software fallback, also ask for a compatibility adapter and prefer
 * a non-fallback one. On the GPU-less dev/CI machines this picks lavapipe (compat) over
 * SwiftShader (core, fallback) — about 8x faster.
 */

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  /** True for software adapters such as SwiftShader. */
  fallback: boolean;
  featureLevel: 'core' | 'compatibility';
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxStorageBuffersPerShaderStage: number;
  maxComputeWorkgroupSizeX: number;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: AdapterDescription;
}

function describe(adapter: GPUAdapter, featureLevel: 'core' | 'compatibility'): AdapterDescription {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacyFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean })
    .isFallbackAdapter;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    fallback: Boolean(info.isFallbackAdapter ?? legacyFallback ?? false),
    featureLevel,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
    maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
  };
}

/** Human-readable one-liner for the UI, logs and test records. */
export function adapterLabel(info: AdapterDescription): string {
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  const kind = info.fallback ? 'software fallback' : 'non-fallback';
  return `${name || 'unnamed adapter'} (${info.featureLevel}, ${kind})`;
}

async function tryRequest(gpu: GPU, options: GPURequestAdapterOptions): Promise<GPUAdapter | null> {
  try {
    return await gpu.requestAdapter(options);
  } catch {
    return null;
  }
}

export async function pickAdapter(
  gpu: GPU,
): Promise<{ adapter: GPUAdapter; featureLevel: 'core' | 'compatibility' } | null> {
  const core = await tryRequest(gpu, { powerPreference: 'high-performance' });
  if (core && !describe(core, 'core').fallback) return { adapter: core, featureLevel: 'core' };
  const compat = await tryRequest(gpu, {
    featureLevel: 'compatibility',
  } as GPURequestAdapterOptions);
  if (compat) {
    const isCore = compat.features.has('core-features-and-limits' as GPUFeatureName);
    const level = isCore ? 'core' : 'compatibility';
    if (!describe(compat, level).fallback || !core) return { adapter: compat, featureLevel: level };
  }
  return core ? { adapter: core, featureLevel: 'core' } : null;
}

/** Requests a device with the adapter's full buffer limits (the defaults are far smaller). */
export async function acquireGpu(gpu: GPU | undefined): Promise<GpuContext | null> {
  if (!gpu) return null;
  const picked = await pickAdapter(gpu);
  if (!picked) return null;
  const { adapter, featureLevel } = picked;
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  return { device, adapter, info: describe(adapter, featureLevel) };
}
