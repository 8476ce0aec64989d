import { afterEach, describe, expect, it } from 'vitest';
import { pendingBlobReads } from './blob-read';
import { blobSource } from './sources';

const BYTES = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 255);
const file = () => blobSource(new Blob([BYTES]), 'model.safetensors');

/** A Blob stand-in whose slices stream `stream()` (and fail arrayBuffer() with `fail`). */
function fakeBlob(size: number, stream: () => ReadableStream<Uint8Array>, fail?: Error): Blob {
  const slice = {
    size,
    stream,
    arrayBuffer: () =>
      fail ? Promise.reject(fail) : new Response(stream()).arrayBuffer().then((b) => b),
  };
  return { size, slice: () => slice } as unknown as Blob;
}

/** A byte stream delivering `bytes` `piece` bytes per pull (several BYOB reads per range). */
function piecewise(bytes: Uint8Array, piece: number): () => ReadableStream<Uint8Array> {
  return () => {
    let at = 0;
    return new ReadableStream({
      type: 'bytes',
      pull(c) {
        if (at >= bytes.length) {
          // A pending BYOB read settles (done) only once its request is answered.
          c.close();
          return c.byobRequest?.respond(0);
        }
        c.enqueue(bytes.slice(at, at + piece));
        at += piece;
      },
    });
  };
}

afterEach(() => expect(pendingBlobReads()).toBe(0));

describe('blobSource', () => {
  it('read gives the bytes of the range, at the start, the end and empty', async () => {
    const src = file();
    expect([...(await src.read(0, 5))]).toEqual([...BYTES.subarray(0, 5)]);
    expect([...(await src.read(990, 1000))]).toEqual([...BYTES.subarray(990)]);
    expect((await src.read(1000, 1000)).length).toBe(0);
  });

  it('readInto fills a view inside a larger buffer and resolves to the moved view', async () => {
    const src = file();
    const buffer = new ArrayBuffer(64);
    new Uint8Array(buffer).fill(0xee);
    const target = new Uint8Array(buffer, 8, 20);
    const filled = await src.readInto!(980, target);
    expect([...filled]).toEqual([...BYTES.subarray(980)]);
    expect([filled.byteOffset, filled.length, filled.buffer.byteLength]).toEqual([8, 20, 64]);
    // The rest of the buffer is untouched.
    const all = new Uint8Array(filled.buffer);
    expect([all[7], all[28]]).toEqual([0xee, 0xee]);
    // A BYOB read moved the memory: the passed buffer is detached.
    expect(buffer.byteLength).toBe(0);
    // The moved buffer takes the next read (what the executor's pool does).
    const again = await src.readInto!(0, new Uint8Array(filled.buffer, 0, 10));
    expect([...again]).toEqual([...BYTES.subarray(0, 10)]);
    expect((await src.readInto!(1000, new Uint8Array(0))).length).toBe(0);
  });

  it('readInto gathers a range delivered in several pieces', async () => {
    const src = blobSource(fakeBlob(BYTES.length, piecewise(BYTES, 7)), 'pieces.safetensors');
    const filled = await src.readInto!(0, new Uint8Array(100));
    expect([...filled]).toEqual([...BYTES.subarray(0, 100)]);
  });

  it('copies into the target where the Blob stream is no byte stream', async () => {
    const plain = () =>
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(BYTES.slice(0, 16));
          c.close();
        },
      });
    const src = blobSource(fakeBlob(BYTES.length, plain), 'old-browser.safetensors');
    const target = new Uint8Array(16);
    const filled = await src.readInto!(0, target);
    expect(filled).toBe(target);
    expect([...target]).toEqual([...BYTES.subarray(0, 16)]);
  });

  it('bad ranges are errors naming the file', async () => {
    const src = file();
    await expect(src.read(995, 1001)).rejects.toThrow(
      'model.safetensors: byte range [995, 1001) is outside the file (1000 bytes)',
    );
    await expect(src.readInto!(995, new Uint8Array(6))).rejects.toThrow(
      'model.safetensors: byte range [995, 1001) is outside the file',
    );
    await expect(src.read(-1, 4)).rejects.toThrow('model.safetensors: invalid byte range');
  });

  it('a failing or short Blob read is an error naming the file and the bytes', async () => {
    const broken = () =>
      new ReadableStream<Uint8Array>({
        type: 'bytes',
        pull: (c) => c.error(new Error('The requested file could not be read')),
      });
    const src = blobSource(
      fakeBlob(1000, broken, new Error('The requested file could not be read')),
      'gone.safetensors',
    );
    await expect(src.readInto!(10, new Uint8Array(20))).rejects.toThrow(
      'gone.safetensors: reading bytes [10, 30) failed: The requested file could not be read',
    );
    await expect(src.read(10, 30)).rejects.toThrow(
      'gone.safetensors: reading bytes [10, 30) failed',
    );
    const short = blobSource(fakeBlob(1000, piecewise(BYTES.subarray(0, 5), 2)), 'cut.safetensors');
    await expect(short.readInto!(0, new Uint8Array(20))).rejects.toThrow(
      'cut.safetensors: reading bytes [0, 20) failed: the file ended early',
    );
  });
});
