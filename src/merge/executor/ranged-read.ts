/**
 * Reads an element range of one tensor straight from its file (a positioned read / Blob.slice),
 * so element-wise merges can stream a tensor in chunks instead of holding whole inputs.
 */
import type { MergeCheckpoint } from '../planning/types';
import type { ReadBuffers } from './read-buffers';

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

interface RangeableEntry {
  info: { dtype: string; begin: number; end: number };
  file?: {
    source?: {
      read(begin: number, end: number): Promise<Uint8Array>;
      readInto?(begin: number, target: Uint8Array): Promise<Uint8Array>;
    };
    dataStart?: number;
  };
}

/** True when the checkpoint's tensor can be read by byte range (real safetensors files). */
export function canReadRange(ckpt: MergeCheckpoint, name: string): boolean {
  const entry = ckpt.tensors.get(name) as RangeableEntry | undefined;
  return (
    entry !== undefined &&
    typeof entry.file?.source?.read === 'function' &&
    typeof entry.file.dataStart === 'number' &&
    DTYPE_BYTES[entry.info.dtype] !== undefined
  );
}

/**
 * Bytes of elements [begin, end) of the tensor (callers check canReadRange first). With
 * `buffers`, sources that can read into a buffer fill a reused one instead of a fresh one.
 */
export async function readElementRange(
  ckpt: MergeCheckpoint,
  name: string,
  begin: number,
  end: number,
  buffers?: Pick<ReadBuffers, 'take' | 'adopt'>,
): Promise<Uint8Array> {
  const entry = ckpt.tensors.get(name) as RangeableEntry;
  const size = DTYPE_BYTES[entry.info.dtype]!;
  const file = entry.file!;
  const source = file.source!;
  const start = file.dataStart! + entry.info.begin;
  let bytes: Uint8Array;
  if (buffers && source.readInto) {
    const taken = buffers.take((end - begin) * size);
    // A browser read moves the buffer: the bytes are in the view it resolves to.
    bytes = buffers.adopt(taken, await source.readInto(start + begin * size, taken));
  } else {
    bytes = await source.read(start + begin * size, start + end * size);
  }
  if (bytes.length !== (end - begin) * size) {
    throw new Error(
      `${ckpt.name}: ${name}: read ${bytes.length} bytes, expected ${(end - begin) * size} (file changed?)`,
    );
  }
  return bytes;
}
