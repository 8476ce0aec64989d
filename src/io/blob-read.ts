/**
 * Reading a Blob range into memory the caller already has. `blob.slice().arrayBuffer()` makes
 * a fresh ArrayBuffer per read, which a renderer collects lazily: in a streamed merge (one
 * chunk per input per step) that garbage was most of Chromium's peak memory. A BYOB reader of
 * the slice's byte stream fills the caller's buffer instead. BYOB reads transfer the buffer
 * they are given (the passed ArrayBuffer is detached and its memory reappears in a new
 * ArrayBuffer), so the filled bytes come back as a view on that new buffer.
 */

/**
 * Readers with a read in flight. Nothing else may reference a stream while its read is
 * pending (the awaiting code hangs off the stream's own read request), and Chromium then
 * collects the stream mid-read: under forced GCs the merge hung. Held here until settled.
 */
const pending = new Set<ReadableStreamBYOBReader>();

/** A BYOB reader of the blob's bytes, or undefined where Blob streams are not byte streams. */
function byobReader(blob: Blob): ReadableStreamBYOBReader | undefined {
  if (typeof blob.stream !== 'function') return undefined;
  const stream = blob.stream();
  try {
    return stream.getReader({ mode: 'byob' });
  } catch {
    // Not a byte stream (older Firefox / Safari): the caller copies instead.
    void stream.cancel().catch(() => undefined);
    return undefined;
  }
}

/** Thrown when the blob ended before `target` was full (the file changed since it was picked). */
export class ShortBlobReadError extends Error {}

/**
 * The blob's bytes (exactly target.length of them) in target's memory. Resolves to the view
 * holding them: `target` itself when they were copied, else a view with target's offset and
 * length on the ArrayBuffer the stream moved target's buffer to (`target` is then detached).
 * `target` must be a view on a plain, transferable ArrayBuffer.
 */
export async function readBlobInto(blob: Blob, target: Uint8Array): Promise<Uint8Array> {
  if (target.length === 0) return target;
  const reader = target.buffer instanceof ArrayBuffer ? byobReader(blob) : undefined;
  if (!reader) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    if (bytes.length !== target.length) throw new ShortBlobReadError();
    target.set(bytes);
    return target;
  }
  pending.add(reader);
  // Taken now: the first read detaches target (its length and offset become 0).
  const { byteOffset, length } = target;
  try {
    let buffer = target.buffer as ArrayBuffer;
    let done = 0;
    while (done < length) {
      const free = new Uint8Array(buffer, byteOffset + done, length - done);
      const { value, done: ended } = await reader.read(free);
      if (value) buffer = value.buffer as ArrayBuffer;
      if (ended || !value) throw new ShortBlobReadError();
      done += value.length;
    }
    return new Uint8Array(buffer, byteOffset, length);
  } catch (e) {
    void reader.cancel().catch(() => undefined);
    throw e;
  } finally {
    pending.delete(reader);
    reader.releaseLock();
  }
}

/** Reads in flight (tests: none may be left behind). */
export function pendingBlobReads(): number {
  return pending.size;
}
