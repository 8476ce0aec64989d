/**
 * A minimal F32 safetensors writer/reader for the zoo (8-byte little-endian header length, JSON
 * header {name: {dtype, shape, data_offsets}}, then the data). Kept local so the zoo does not
 * depend on the full I/O layer; every file the zoo reads is validated and errors name the file
 * and the tensor.
 */
import type { NamedArray } from '../models/tensors';

export class ZooFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ZooFormatError';
  }
}

/** Tensors in insertion order; the header is padded with spaces to a multiple of 8 bytes. */
export function encodeSafetensors(
  tensors: Map<string, NamedArray>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    const bytes = data.length * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const { data } of tensors.values()) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

const MAX_HEADER = 25_000_000;

/** Parses an F32 safetensors file held in memory. */
export function decodeSafetensors(bytes: Uint8Array, file: string): Map<string, NamedArray> {
  if (bytes.length < 8) throw new ZooFormatError(file, 'too short to be a safetensors file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.length) {
    throw new ZooFormatError(file, `header length ${headerLength} is out of range`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
      string,
      unknown
    >;
  } catch {
    throw new ZooFormatError(file, 'header is not valid JSON');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const out = new Map<string, NamedArray>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32')
      throw new ZooFormatError(
        file,
        `tensor "${name}": dtype ${String(e.dtype)}, the zoo uses F32`,
      );
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ZooFormatError(file, `tensor "${name}": bad shape`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((d) => Number.isInteger(d))
    ) {
      throw new ZooFormatError(file, `tensor "${name}": bad data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (begin < 0 || end > dataLength || end - begin !== numel * 4) {
      throw new ZooFormatError(
        file,
        `tensor "${name}": data_offsets [${begin}, ${end}] do not fit shape or file`,
      );
    }
    // Copy: the data area is not guaranteed to be 4-byte aligned.
    const data = new Float32Array(numel);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    out.set(name, { shape: shape as number[], data });
  }
  return out;
}
