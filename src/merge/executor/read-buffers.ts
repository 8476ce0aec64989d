/**
 * Reusable read buffers for streamed chunks. Allocating a fresh 2 MiB ArrayBuffer for every
 * input of every chunk costs allocation, zeroing and page faults for every byte read; with
 * the executor's one-chunk read-ahead, 2 × (K + 1) buffers cover a whole pass. Whole
 * tensors are read into them too: garbage 16 MiB buffers waiting for a GC were ~100 MiB of
 * the Node process's peak RSS in whole-tensor merges.
 *
 * take() returns a view of exactly the requested size on a free buffer at least that big.
 * Views go back with give() only after the backend call that used them has settled (backends
 * copy or finish with their inputs before resolving — see MergeBackend). A buffer that a
 * backend transferred to a worker comes back detached (length 0) and is dropped. A source
 * whose read transfers the taken buffer (a browser BYOB read) resolves to a view on a new
 * ArrayBuffer holding the same memory: adopt() makes that one the pool's instead.
 * With `shared` the buffers are SharedArrayBuffers (where the runtime has them), for a
 * backend that reads them in place in another thread.
 */
type PoolBuffer = ArrayBuffer | SharedArrayBuffer;

/** A SharedArrayBuffer (false where the runtime has none). */
export function isSharedBuffer(b: ArrayBufferLike): b is SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' && b instanceof SharedArrayBuffer;
}

function isPoolBuffer(b: ArrayBufferLike): b is PoolBuffer {
  return b instanceof ArrayBuffer || isSharedBuffer(b);
}

export class ReadBuffers {
  private readonly free: PoolBuffer[] = [];
  /** Only buffers made here come back (never a source's own buffer). */
  private readonly mine = new WeakSet<PoolBuffer>();
  private readonly shared: boolean;

  /** At most `maxKept` free buffers of at most `maxBytes` in all (the biggest are kept). */
  constructor(
    private readonly maxKept: number,
    private readonly maxBytes = Infinity,
    shared = false,
  ) {
    this.shared = shared && typeof SharedArrayBuffer === 'function';
  }

  /** `size` bytes (contents undefined: the caller overwrites all of them). */
  take(size: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const len = this.free[i]!.byteLength;
      if (len >= size && (best < 0 || len < this.free[best]!.byteLength)) best = i;
    }
    let buffer: PoolBuffer;
    if (best >= 0) buffer = this.free.splice(best, 1)[0]!;
    else {
      buffer = this.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
      this.mine.add(buffer);
    }
    return new Uint8Array(buffer, 0, size);
  }

  /**
   * The view a read into `taken` resolved to. When the read moved taken's buffer (now
   * detached) the new one joins the pool in its place. Nothing else is adopted: not a move
   * of a buffer the pool never made, nor a different buffer while taken's is still attached
   * (a source that returned its own copy keeps it).
   */
  adopt(taken: Uint8Array, filled: Uint8Array): Uint8Array {
    const old = taken.buffer;
    const moved = filled.buffer;
    if (
      moved !== old &&
      old instanceof ArrayBuffer &&
      moved instanceof ArrayBuffer &&
      this.mine.has(old) &&
      old.byteLength === 0
    ) {
      this.mine.add(moved);
    }
    return filled;
  }

  give(views: Iterable<Uint8Array>): void {
    for (const v of views) {
      const buffer = v.buffer;
      if (!isPoolBuffer(buffer) || !this.mine.has(buffer)) continue;
      if (buffer.byteLength === 0) continue;
      if (this.free.includes(buffer)) continue;
      this.free.push(buffer);
    }
    // Keep the biggest: any chunk fits them.
    this.free.sort((a, b) => b.byteLength - a.byteLength);
    let bytes = 0;
    let kept = 0;
    while (kept < this.free.length && kept < this.maxKept) {
      if (bytes + this.free[kept]!.byteLength > this.maxBytes) break;
      bytes += this.free[kept]!.byteLength;
      kept++;
    }
    this.free.length = kept;
  }
}
