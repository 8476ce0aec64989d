import type { BufferPool } from './buffer-pool';

/**
 * Copies `size` bytes of a GPU buffer to the CPU through a pooled MAP_READ staging buffer.
 * The copy is submitted here; the staging buffer returns to the pool once unmapped.
 */
export async function readBuffer(
  device: GPUDevice,
  pool: BufferPool,
  source: GPUBuffer,
  offset: number,
  size: number,
  encoder?: GPUCommandEncoder,
): Promise<ArrayBuffer> {
  const staging = pool.acquire(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'staging');
  const enc = encoder ?? device.createCommandEncoder({ label: 'readback' });
  enc.copyBufferToBuffer(source, offset, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ, 0, size);
  const copy = staging.getMappedRange(0, size).slice(0);
  staging.unmap();
  pool.releaseNow([staging]);
  return copy;
}
