import { describe, expect, it } from 'vitest';
import { directoryHandleSinkFolder, memorySink, writableStreamSink } from './sinks';
import { fileHandleSource } from './sources';

/** A minimal in-memory stand-in for the File System Access API. */
function fakeDirectory() {
  const files = new Map<string, Uint8Array>();
  const removed: string[] = [];
  const handle = (name: string) => ({
    name,
    kind: 'file',
    async getFile() {
      return new File([files.get(name)! as Uint8Array<ArrayBuffer>], name);
    },
    async createWritable() {
      const chunks: Uint8Array[] = [];
      return {
        write: async (c: Uint8Array) => void chunks.push(c.slice()),
        close: async () => void files.set(name, new Uint8Array(Buffer.concat(chunks))),
        abort: async () => void (chunks.length = 0),
      };
    },
  });
  const dir = {
    name: 'out',
    async getFileHandle(name: string, options?: { create?: boolean }) {
      if (!files.has(name)) {
        if (!options?.create) throw new DOMException('not found', 'NotFoundError');
        files.set(name, new Uint8Array(0));
      }
      return handle(name);
    },
    async removeEntry(name: string) {
      files.delete(name);
      removed.push(name);
    },
  };
  return { files, removed, dir: dir as unknown as FileSystemDirectoryHandle };
}

describe('sinks', () => {
  it('memorySink exposes the bytes only after close, copies chunks, refuses late writes', async () => {
    const sink = memorySink('m');
    const chunk = new Uint8Array([1, 2]);
    await sink.write(chunk);
    chunk[0] = 9;
    await sink.write(new Uint8Array([3]));
    expect(() => sink.bytes()).toThrow('not complete');
    await sink.close();
    expect([...sink.bytes()]).toEqual([1, 2, 3]);
    await expect(sink.write(new Uint8Array([4]))).rejects.toThrow('already closed');
  });

  it('directoryHandleSinkFolder writes through the writable and removes the entry on abort', async () => {
    const fake = fakeDirectory();
    const folder = directoryHandleSinkFolder(fake.dir);
    const ok = await folder.createSink('a.bin');
    await ok.write(new Uint8Array([5, 6]));
    await ok.close();
    expect([...fake.files.get('a.bin')!]).toEqual([5, 6]);
    const src = await fileHandleSource(await fake.dir.getFileHandle('a.bin'));
    expect([...(await src.read(1, 2))]).toEqual([6]);

    const bad = await folder.createSink('b.bin');
    await bad.write(new Uint8Array([1]));
    await bad.abort();
    expect(fake.files.has('b.bin')).toBe(false);
    expect(fake.removed).toEqual(['b.bin']);
  });

  it('writableStreamSink maps close and abort onto the stream', async () => {
    const calls: string[] = [];
    const stream = {
      write: async () => void calls.push('write'),
      close: async () => void calls.push('close'),
      abort: async (r: unknown) => void calls.push(`abort:${String(r)}`),
    } as unknown as FileSystemWritableFileStream;
    const sink = writableStreamSink(stream, 'x');
    await sink.write(new Uint8Array(1));
    await sink.close();
    await sink.abort('why');
    expect(calls).toEqual(['write', 'close', 'abort:why']);
  });
});
