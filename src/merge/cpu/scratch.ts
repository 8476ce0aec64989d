/**
 * Float32 arrays reused from one call to the next: the per-model task vectors and sparsified
 * copies of a chunk are garbage as soon as the chunk is merged, and fresh ones per chunk (K + 1
 * arrays of 2 MiB, hundreds of chunks) made the page's heap grow by hundreds of MiB before a
 * collection caught up. Synchronous use only: an array is valid until the next get() of the
 * same slot. Tensors above REUSE_LIMIT elements get fresh arrays (a merge of whole tensors
 * must not leave K copies of its largest tensor behind).
 */
const REUSE_LIMIT = 1 << 20;

export class F32Scratch {
  private readonly slots: Float32Array[] = [];

  /** Slot i as exactly n floats (contents left from earlier use: overwrite or clear them). */
  get(slot: number, n: number): Float32Array {
    if (n > REUSE_LIMIT) return new Float32Array(n);
    let a = this.slots[slot];
    if (!a || a.length < n) {
      a = new Float32Array(Math.max(n, a ? a.length * 2 : 0));
      this.slots[slot] = a;
    }
    return a.subarray(0, n);
  }

  clear(): void {
    this.slots.length = 0;
  }
}
