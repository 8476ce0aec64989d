/**
 * The I/O contracts every other part of the core builds on. Implementations live beside this
 * file; everything is re-exported from src/io/index.ts.
 */

/** Every dtype of the reference implementation (the Rust `safetensors` crate's `Dtype`). */
export const DTYPES = [
  'F64',
  'F32',
  'F16',
  'BF16',
  'I64',
  'I32',
  'I16',
  'I8',
  'U64',
  'U32',
  'U16',
  'U8',
  'BOOL',
  'C64',
  'F8_E4M3',
  'F8_E5M2',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'F6_E2M3',
  'F6_E3M2',
  'F4',
] as const;
export type Dtype = (typeof DTYPES)[number];

/** Bits per element (the reference's `Dtype::bitsize`); F4 and F6 pack below a byte. */
export const DTYPE_BITS: Record<Dtype, number> = {
  F64: 64,
  F32: 32,
  F16: 16,
  BF16: 16,
  I64: 64,
  I32: 32,
  I16: 16,
  I8: 8,
  U64: 64,
  U32: 32,
  U16: 16,
  U8: 8,
  BOOL: 8,
  C64: 64,
  F8_E4M3: 8,
  F8_E5M2: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  F6_E2M3: 6,
  F6_E3M2: 6,
  F4: 4,
};

/**
 * Bytes per element: fractional for F4 (½) and F6 (¾), whose tensors the reader accepts only
 * when they fill whole bytes. Streaming code (split-job, decode) handles float dtypes only.
 */
export const DTYPE_SIZE = Object.fromEntries(DTYPES.map((d) => [d, DTYPE_BITS[d] / 8])) as Record<
  Dtype,
  number
>;

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
