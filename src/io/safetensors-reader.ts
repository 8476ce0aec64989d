/**
 * Opens a .safetensors file from any ByteSource: reads and validates only the header; tensor
 * bytes are read lazily, one tensor at a time.
 */
import { decodeToF32 } from './decode';
import { SafetensorsError } from './errors';
import { parseSafetensorsHeader } from './safetensors-header';
import { summarizeTensors, type TensorSummary } from './tensor-summary';
import type { ByteSource, TensorInfo } from './types';

/**
 * Headers above this are refused before anything is allocated: the reference reader's limit
 * (`MAX_HEADER_SIZE` = 100 000 000 in the Rust crate; huggingface.js uses 25 MB).
 */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsFile {
  readonly name: string;
  readonly source: ByteSource;
  /** In file (header) order. */
  readonly tensors: Map<string, TensorInfo>;
  readonly metadata: Record<string, string>;
  /** Absolute file offset where the data area starts (8 + header length). */
  readonly dataStart: number;
  readonly parameterCount: number;
  readonly byteSize: number;
  summary(): TensorSummary;
  /** The tensor's stored little-endian bytes (a fresh array the caller owns). */
  readRaw(name: string): Promise<Uint8Array>;
  /** The tensor converted to f32 (F32, F16, BF16, F64 only). */
  readF32(name: string): Promise<Float32Array>;
}

export async function openSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const file = source.name;
  if (source.size < 8) {
    throw new SafetensorsError(
      file,
      undefined,
      `file is only ${source.size} bytes: too short for a safetensors header`,
    );
  }
  const lengthBytes = await source.read(0, 8);
  const declared = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(
    0,
    true,
  );
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      file,
      undefined,
      `header length ${declared} is larger than the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
    );
  }
  const headerLength = Number(declared);
  if (8 + headerLength > source.size) {
    throw new SafetensorsError(
      file,
      undefined,
      `header length ${headerLength} runs past the end of the file (${source.size} bytes; truncated?)`,
    );
  }
  const dataStart = 8 + headerLength;
  const dataSize = source.size - dataStart;
  const { tensors: list, metadata } = parseSafetensorsHeader(
    file,
    await source.read(8, dataStart),
    dataSize,
  );
  const tensors = new Map(list.map((t) => [t.name, t]));
  const summary = summarizeTensors(list);

  const info = (name: string): TensorInfo => {
    const t = tensors.get(name);
    if (!t) throw new SafetensorsError(file, name, 'no such tensor in this file');
    return t;
  };
  const readRaw = async (name: string): Promise<Uint8Array> => {
    const t = info(name);
    const bytes = await source.read(dataStart + t.begin, dataStart + t.end);
    if (bytes.length !== t.end - t.begin) {
      throw new SafetensorsError(
        file,
        name,
        `read ${bytes.length} bytes, expected ${t.end - t.begin} (file changed?)`,
      );
    }
    return bytes;
  };
  return {
    name: file,
    source,
    tensors,
    metadata,
    dataStart,
    parameterCount: summary.parameterCount,
    byteSize: source.size,
    summary: () => summary,
    readRaw,
    async readF32(name) {
      const t = info(name);
      return decodeToF32(t.dtype, await readRaw(name), file, name);
    },
  };
}
