/**
 * Reusable read buffers for streamed chunks. Allocating a fresh 2 MiB ArrayBuffer for every
 * input of every chunk cost the Node CPU merge ≈ 0.6 s of garbage collection per 2 GB (and
 * page faults on fresh memory); with the executor's one-chunk read-ahead, 2 × (K + 1)
 * buffers of one chunk size cover a whole pass.
 *
 * A buffer is handed back only after the backend call that used it has settled (backends
 * copy or finish with their inputs before resolving — see MergeBackend). A buffer that a
 * backend transferred to a worker comes back detached (length 0) and is simply dropped.
 */
export class ReadBuffers {
  private readonly free: Uint8Array[] = [];

  constructor(private readonly maxKept: number) {}

  /** A buffer of exactly `size` bytes (contents undefined: the caller overwrites all of it). */
  take(size: number): Uint8Array {
    const i = this.free.findIndex((b) => b.byteLength === size);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    return new Uint8Array(size);
  }

  give(buffers: Iterable<Uint8Array>): void {
    for (const b of buffers) {
      const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;
      if (!whole || b.byteLength === 0) continue;
      this.free.push(b);
      // Sizes change at the last chunk of a tensor: keep the most recent buffers.
      if (this.free.length > this.maxKept) this.free.shift();
    }
  }
}
