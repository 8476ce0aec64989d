import type { BufferPool } from './buffer-pool';

/** One GPU buffer range to read back (offset and size multiples of 4). */
export interface ReadRange {
  source: GPUBuffer;
  offset: number;
  size: number;
}

/**
 * Copies the ranges, back to back, into one pooled MAP_READ staging buffer, submits (with the
 * commands already in `encoder`), maps it and hands the mapped bytes to `consume` — which must
 * copy what it needs out before returning (the range is unmapped right after). The staging
 * buffer then returns to the pool.
 */
export async function readRanges<T>(
  device: GPUDevice,
  pool: BufferPool,
  ranges: ReadRange[],
  consume: (mapped: ArrayBuffer) => T,
  encoder?: GPUCommandEncoder,
): Promise<T> {
  const size = ranges.reduce((s, r) => s + r.size, 0);
  const staging = pool.acquire(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'staging');
  const enc = encoder ?? device.createCommandEncoder({ label: 'readback' });
  let at = 0;
  for (const r of ranges) {
    enc.copyBufferToBuffer(r.source, r.offset, staging, at, r.size);
    at += r.size;
  }
  device.queue.submit([enc.finish()]);
  try {
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    try {
      return consume(staging.getMappedRange(0, size));
    } finally {
      staging.unmap();
    }
  } finally {
    pool.releaseNow([staging]);
  }
}

/**
 * Copies `size` bytes of a GPU buffer to the CPU through a pooled MAP_READ staging buffer.
 * The copy is submitted here; the staging buffer returns to the pool once unmapped.
 */
export function readBuffer(
  device: GPUDevice,
  pool: BufferPool,
  source: GPUBuffer,
  offset: number,
  size: number,
  encoder?: GPUCommandEncoder,
): Promise<ArrayBuffer> {
  return readRanges(device, pool, [{ source, offset, size }], (m) => m.slice(0), encoder);
}
