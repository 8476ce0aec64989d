/**
 * Browser-safe byte sinks and sink folders. A sink's output becomes visible only on close();
 * abort() leaves nothing behind.
 */
import type { ByteSink, SinkFolder } from './types';

type SinkState = 'open' | 'closed' | 'aborted';

export interface MemorySink extends ByteSink {
  readonly state: SinkState;
  /** Everything written, once closed (throws before). */
  bytes(): Uint8Array;
}

function assertOpen(name: string, state: SinkState): void {
  if (state !== 'open') throw new Error(`${name}: cannot write: the output is already ${state}`);
}

export function memorySink(name: string): MemorySink {
  let chunks: Uint8Array[] = [];
  let state: SinkState = 'open';
  let result: Uint8Array | undefined;
  return {
    name,
    get state() {
      return state;
    },
    async write(chunk) {
      assertOpen(name, state);
      chunks.push(chunk.slice()); // the caller may reuse its buffer
    },
    async close() {
      assertOpen(name, state);
      const total = chunks.reduce((n, c) => n + c.length, 0);
      result = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        result.set(c, at);
        at += c.length;
      }
      chunks = [];
      state = 'closed';
    },
    async abort() {
      chunks = [];
      if (state === 'open') state = 'aborted';
    },
    bytes() {
      if (!result) throw new Error(`${name}: output is not complete (state: ${state})`);
      return result;
    },
  };
}

export interface MemorySinkFolder extends SinkFolder {
  /** Completed files only (closed sinks), by file name. */
  readonly files: Map<string, Uint8Array>;
  /** Every sink created, including aborted ones. */
  readonly sinks: MemorySink[];
}

export function memorySinkFolder(): MemorySinkFolder {
  const files = new Map<string, Uint8Array>();
  const sinks: MemorySink[] = [];
  return {
    files,
    sinks,
    async createSink(fileName) {
      const sink = memorySink(fileName);
      sinks.push(sink);
      return {
        name: fileName,
        write: (chunk) => sink.write(chunk),
        close: async () => {
          await sink.close();
          files.set(fileName, sink.bytes());
        },
        abort: (reason) => sink.abort(reason),
      };
    },
  };
}

/** A File System Access writable: the browser keeps a swap file until close(). */
export function writableStreamSink(stream: FileSystemWritableFileStream, name: string): ByteSink {
  return {
    name,
    write: (chunk) => stream.write(chunk as Uint8Array<ArrayBuffer>),
    close: () => stream.close(),
    abort: (reason) => stream.abort(reason),
  };
}

/** Writes files into a directory chosen with showDirectoryPicker. */
export function directoryHandleSinkFolder(dir: FileSystemDirectoryHandle): SinkFolder {
  return {
    async createSink(fileName) {
      const existed = await dir.getFileHandle(fileName).then(
        () => true,
        () => false,
      );
      const handle = await dir.getFileHandle(fileName, { create: true });
      const inner = writableStreamSink(await handle.createWritable(), fileName);
      return {
        ...inner,
        async abort(reason) {
          await inner.abort(reason);
          // getFileHandle({create}) made an empty entry: remove it so nothing half-done remains.
          if (!existed) await dir.removeEntry(fileName).catch(() => undefined);
        },
      };
    },
  };
}
