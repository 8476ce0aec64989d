/**
 * The I/O contracts every other part of the core builds on. Implementations live beside this
 * file; everything is re-exported from src/io/index.ts.
 */

export const DTYPES = [
  'F64',
  'F32',
  'F16',
  'BF16',
  'I64',
  'I32',
  'I16',
  'I8',
  'U8',
  'BOOL',
  'F8_E4M3',
  'F8_E5M2',
] as const;
export type Dtype = (typeof DTYPES)[number];

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Record<Dtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** Dtypes the studio converts to f32 numerically (and merges); others are carried through. */
export const FLOAT_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type FloatDtype = (typeof FLOAT_DTYPES)[number];

/** Random-access bytes: a browser File/Blob, a FileSystemFileHandle, or a Node file. */
export interface ByteSource {
  /** File name (or path) used in every error message. */
  readonly name: string;
  readonly size: number;
  /** Bytes [begin, end) of the file. */
  read(begin: number, end: number): Promise<Uint8Array>;
  /**
   * Optional: bytes [begin, begin + target.length) into target's memory (no allocation), so a
   * streaming reader can reuse its buffers. Resolves to the view holding them: `target`
   * itself (Node files), or — where the read transfers target's ArrayBuffer, as a browser
   * BYOB stream read does — a view with the same offset and length on the ArrayBuffer the
   * memory moved to; `target` is then detached (length 0). Same checks and errors as read().
   */
  readInto?(begin: number, target: Uint8Array): Promise<Uint8Array>;
  /** Optional: releases an OS handle (Node files); a later read reopens it. */
  close?(): Promise<void>;
}

/** Where output bytes go: a FileSystemWritableFileStream, a Node stream, or memory. */
export interface ByteSink {
  readonly name: string;
  /** The caller may reuse chunk's memory once this settles: copy what you keep longer. */
  write(chunk: Uint8Array): Promise<void>;
  /** Completes the file; only now may it be presented as done. */
  close(): Promise<void>;
  /** Discards everything written (no half-written file remains). */
  abort(reason?: unknown): Promise<void>;
}

/** A folder to write shards (and the recipe) into. */
export interface SinkFolder {
  createSink(fileName: string): Promise<ByteSink>;
}

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Byte offsets relative to the start of the data area (after the header). */
  begin: number;
  end: number;
}
