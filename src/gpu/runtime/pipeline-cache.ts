/**
 * Compute pipelines cached per device by a key of everything that changes the shader (source
 * name and override constants). A WeakMap keyed by the device drops the cache with the device.
 */
const caches = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export interface PipelineSpec {
  /** Stable name of the composed shader source (used in the key and in error labels). */
  name: string;
  code: string;
  entryPoint?: string;
  /** Pipeline-overridable constants (`override X: u32;` in WGSL), e.g. the workgroup size. */
  constants?: Record<string, number>;
}

function keyOf(spec: PipelineSpec): string {
  const constants = Object.entries(spec.constants ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${spec.name}|${spec.entryPoint ?? 'main'}|${constants}`;
}

export function getPipeline(device: GPUDevice, spec: PipelineSpec): GPUComputePipeline {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  const key = keyOf(spec);
  let pipeline = cache.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ label: spec.name, code: spec.code });
    pipeline = device.createComputePipeline({
      label: key,
      layout: 'auto',
      compute: {
        module,
        entryPoint: spec.entryPoint ?? 'main',
        ...(spec.constants ? { constants: spec.constants } : {}),
      },
    });
    cache.set(key, pipeline);
  }
  return pipeline;
}

/** Number of pipelines compiled for a device (tests check that repeated jobs reuse them). */
export function cachedPipelineCount(device: GPUDevice): number {
  return caches.get(device)?.size ?? 0;
}

/** Cache keys (`name|entry|constants`) of a device's pipelines (tests check which ran). */
export function cachedPipelineKeys(device: GPUDevice): string[] {
  return [...(caches.get(device)?.keys() ?? [])];
}

/** Pipelines being (or already) compiled asynchronously, per device, by key and source text. */
const asyncCaches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/**
 * The pipeline compiled with createComputePipelineAsync, so a caller asking for many at once
 * lets the driver compile them in parallel. Generated shaders (one source per shape) are keyed
 * by their text too; a failed compilation is dropped from the cache so a later call retries.
 */
export function getPipelineAsync(
  device: GPUDevice,
  spec: PipelineSpec,
): Promise<GPUComputePipeline> {
  let cache = asyncCaches.get(device);
  if (!cache) asyncCaches.set(device, (cache = new Map()));
  const key = `${keyOf(spec)}|${spec.code}`;
  let pipeline = cache.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ label: spec.name, code: spec.code });
    pipeline = device.createComputePipelineAsync({
      label: spec.name,
      layout: 'auto',
      compute: {
        module,
        entryPoint: spec.entryPoint ?? 'main',
        ...(spec.constants ? { constants: spec.constants } : {}),
      },
    });
    pipeline.catch(() => cache.delete(key));
    cache.set(key, pipeline);
  }
  return pipeline;
}
