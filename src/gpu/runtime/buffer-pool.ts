/**
 * GPU buffers pooled by (usage, size bucket). A buffer handed out by `acquire` goes back to
 * the free list only through `releaseAfterSubmit`, i.e. once the queue has finished every
 * submit issued so far — never while a command buffer may still read it.
 */

/** Sizes are rounded up to 1/8 of their power of two so nearby sizes share buffers. */
export function bucketSize(size: number): number {
  const min = 256;
  if (size <= min) return min;
  const step = Math.max(min, 2 ** (Math.ceil(Math.log2(size)) - 3));
  return Math.ceil(size / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly live = new Set<GPUBuffer>();
  private freeBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Free bytes kept for reuse; beyond this, released buffers are destroyed. */
    private readonly keepBytes = 512 * 1024 * 1024,
  ) {}

  acquire(size: number, usage: GPUBufferUsageFlags, label = 'pooled'): GPUBuffer {
    const bucket = bucketSize(size);
    const key = `${usage}:${bucket}`;
    const list = this.free.get(key);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= bucket;
      this.live.add(reused);
      return reused;
    }
    const buffer = this.device.createBuffer({ label, size: bucket, usage });
    this.live.add(buffer);
    return buffer;
  }

  /** Returns buffers to the pool once all work submitted so far has completed. */
  async releaseAfterSubmit(buffers: GPUBuffer[]): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.releaseNow(buffers);
  }

  /** Only for buffers no submitted command uses (e.g. a staging buffer just unmapped). */
  releaseNow(buffers: GPUBuffer[]): void {
    for (const buffer of buffers) {
      if (!this.live.delete(buffer)) continue;
      if (this.freeBytes + buffer.size > this.keepBytes) {
        buffer.destroy();
        continue;
      }
      const key = `${buffer.usage}:${buffer.size}`;
      const list = this.free.get(key) ?? [];
      list.push(buffer);
      this.free.set(key, list);
      this.freeBytes += buffer.size;
    }
  }

  /** Buffers currently handed out (a leak check for tests). */
  get liveCount(): number {
    return this.live.size;
  }

  dispose(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    for (const b of this.live) b.destroy();
    this.free.clear();
    this.live.clear();
    this.freeBytes = 0;
  }
}
