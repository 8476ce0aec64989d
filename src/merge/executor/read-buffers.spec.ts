import { describe, expect, it } from 'vitest';
import { ReadBuffers } from './read-buffers';

/** What a BYOB read does to the buffer it is given: detach it, the memory moves to a new one. */
function transfer(view: Uint8Array): Uint8Array {
  const { byteOffset, length } = view;
  const moved = structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });
  return new Uint8Array(moved, byteOffset, length);
}

describe('ReadBuffers', () => {
  it('gives back buffers it made, smallest that fits first', () => {
    const pool = new ReadBuffers(4);
    const a = pool.take(100);
    const b = pool.take(50);
    pool.give([a, b]);
    expect(pool.take(40).buffer).toBe(b.buffer);
    expect(pool.take(40).buffer).toBe(a.buffer);
    // Nothing left: a fresh buffer.
    const c = pool.take(40);
    expect([c.buffer === a.buffer, c.buffer === b.buffer]).toEqual([false, false]);
    // A buffer it did not make is never kept.
    const foreign = new Uint8Array(200);
    pool.give([foreign]);
    expect(pool.take(200).buffer).not.toBe(foreign.buffer);
  });

  it('shared: SharedArrayBuffers, recycled like the others', () => {
    const pool = new ReadBuffers(4, Infinity, true);
    const a = pool.take(64);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    pool.give([a]);
    expect(pool.take(32).buffer).toBe(a.buffer);
    expect(new ReadBuffers(4).take(8).buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('adopts the buffer a read moved its taken buffer to', () => {
    const pool = new ReadBuffers(4);
    const taken = pool.take(64);
    const filled = pool.adopt(taken, transfer(taken));
    expect(filled.length).toBe(64);
    pool.give([filled]);
    expect(pool.take(32).buffer).toBe(filled.buffer);
  });

  it('adopts nothing that was not moved from its own buffer', () => {
    const pool = new ReadBuffers(4);
    const taken = pool.take(64);
    // Moved from a buffer the pool never made.
    const stranger = new Uint8Array(64);
    const movedStranger = pool.adopt(stranger, transfer(stranger));
    // A different buffer while the taken one is still attached (a source's own copy).
    const copy = pool.adopt(taken, new Uint8Array(64));
    pool.give([movedStranger, copy]);
    const next = pool.take(64);
    expect([next.buffer === movedStranger.buffer, next.buffer === copy.buffer]).toEqual([
      false,
      false,
    ]);
  });

  it('drops detached buffers and keeps at most maxKept / maxBytes', () => {
    const pool = new ReadBuffers(2, 150);
    const views = [pool.take(100), pool.take(60), pool.take(40)];
    transfer(views[0]!);
    pool.give(views);
    // The detached 100-byte one is gone; 60 + 40 fit the limits.
    const got = [pool.take(10), pool.take(10), pool.take(10)].map((v) => v.buffer);
    expect(got.filter((b) => b === views[1]!.buffer || b === views[2]!.buffer).length).toBe(2);
  });
});
