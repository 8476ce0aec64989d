/**
 * Reads an element range of one tensor straight from its file (a positioned read / Blob.slice),
 * so element-wise merges can stream a tensor in chunks instead of holding whole inputs.
 */
import type { MergeCheckpoint } from '../planning/types';

const DTYPE_BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

interface RangeableEntry {
  info: { dtype: string; begin: number; end: number };
  file?: { source?: { read(begin: number, end: number): Promise<Uint8Array> }; dataStart?: number };
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

/** Bytes of elements [begin, end) of the tensor (callers check canReadRange first). */
export async function readElementRange(
  ckpt: MergeCheckpoint,
  name: string,
  begin: number,
  end: number,
): Promise<Uint8Array> {
  const entry = ckpt.tensors.get(name) as RangeableEntry;
  const size = DTYPE_BYTES[entry.info.dtype]!;
  const file = entry.file!;
  const start = file.dataStart! + entry.info.begin;
  const bytes = await file.source!.read(start + begin * size, start + end * size);
  if (bytes.length !== (end - begin) * size) {
    throw new Error(
      `${ckpt.name}: ${name}: read ${bytes.length} bytes, expected ${(end - begin) * size} (file changed?)`,
    );
  }
  return bytes;
}
