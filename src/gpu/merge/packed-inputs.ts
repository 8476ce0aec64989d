import type { RawTensor } from '../../merge';
import type { FloatDtype } from '../../io/types';
import type { GpuRuntime } from '../runtime/runtime';

/** Bytes per element and the WGSL dtype code (common.wgsl) of each float dtype. */
export const DTYPE_BYTES: Record<FloatDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const DTYPE_CODE: Record<FloatDtype, number> = { F32: 0, F16: 1, BF16: 2 };

/** Inputs per kernel (base + models): common.wgsl's InputTable holds 64 slots. */
export const MAX_INPUTS = 64;

/**
 * The PACKED_DTYPES override of common.wgsl for these inputs: 2 bits per input, or
 * 0xffffffff (read from the table) when there are more than 16 inputs.
 */
export function packedDtypes(inputs: RawTensor[]): number {
  if (inputs.length > 16) return 0xffffffff;
  return inputs.reduce((acc, r, k) => acc | (DTYPE_CODE[r.dtype] << (2 * k)), 0) >>> 0;
}

export class GpuMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuMergeError';
  }
}

/** Checks dtype and byte length of every input; the message names the tensor and the input. */
export function validateInputs(
  tensorName: string,
  numel: number,
  inputs: [string, RawTensor][],
): void {
  if (inputs.length > MAX_INPUTS) {
    throw new GpuMergeError(
      `${tensorName}: ${inputs.length - 1} models exceed the GPU limit of ${MAX_INPUTS - 1}`,
    );
  }
  for (const [what, raw] of inputs) {
    const size = DTYPE_BYTES[raw.dtype];
    if (size === undefined)
      throw new GpuMergeError(`${tensorName} (${what}): unsupported dtype ${String(raw.dtype)}`);
    if (raw.bytes.byteLength !== numel * size) {
      throw new GpuMergeError(
        `${tensorName} (${what}): expected ${numel} ${raw.dtype} elements (${numel * size} bytes), got ${raw.bytes.byteLength} bytes`,
      );
    }
  }
}

export interface ChunkConstraints {
  /** Bytes per element of every other storage binding the kernels use (outputs, scratch). */
  otherBytesPerElement?: number[];
  /** Chunks must hold whole rows of this length (row-wise statistics). */
  rowLen?: number;
}

/**
 * Largest chunk length such that the packed inputs and every other binding fit the storage
 * binding limit. Chunks start at even elements (16-bit inputs pack two per word) and, for
 * row-wise work, at row boundaries.
 */
export function planChunkLength(
  tensorName: string,
  numel: number,
  dtypes: FloatDtype[],
  maxBinding: number,
  c: ChunkConstraints = {},
): number {
  const inputBytes = dtypes.reduce((s, d) => s + DTYPE_BYTES[d], 0);
  // Each slot is padded to SLOT_ALIGN_WORDS words (< 16 bytes), outputs to 4 elements.
  let maxLen = Math.floor((maxBinding - 16 * dtypes.length) / inputBytes);
  for (const b of c.otherBytesPerElement ?? [])
    if (b > 0) maxLen = Math.min(maxLen, Math.floor((maxBinding - 4 * b) / b));
  if (numel <= maxLen) return Math.max(numel, 1);
  const rowLen = c.rowLen ?? 1;
  const unit = rowLen % 2 === 0 ? rowLen : 2 * rowLen;
  const len = Math.floor(maxLen / unit) * unit;
  if (len <= 0) {
    throw new GpuMergeError(
      `${tensorName}: a row of ${rowLen} elements does not fit one GPU storage binding (${maxBinding} bytes)`,
    );
  }
  return len;
}

export interface BoundChunk {
  index: number;
  start: number;
  len: number;
  raw: GPUBuffer;
  rawBytes: number;
  table: GPUBuffer;
}

/**
 * Every input slot starts at, and is padded to, a multiple of 4 words (16 bytes), so vector
 * kernels (ta_vec4.wgsl) read an input as vec4 words. Padding words are never written.
 */
export const SLOT_ALIGN_WORDS = 4;

/** Packed chunks kept on the GPU between passes of one job (re-uploaded beyond this). */
export const RESIDENT_BYTES = 512 * 1024 * 1024;

/**
 * All inputs of a tensor, uploaded one chunk at a time into ONE packed storage buffer (the
 * compatibility adapter allows 8 storage buffers per stage, so K models cannot each have
 * one). Chunks stay resident while their total fits RESIDENT_BYTES, so multi-pass kernels
 * (radix select, l1 sums, merge) upload every byte once; larger tensors keep only the
 * current chunk and re-upload per pass.
 */
export class PackedInputs {
  readonly chunkCount: number;
  private readonly chunks = new Map<number, BoundChunk>();
  /** True when every chunk stays on the GPU for the whole job. */
  readonly resident: boolean;

  constructor(
    private readonly rt: GpuRuntime,
    private readonly inputs: RawTensor[],
    readonly numel: number,
    readonly chunkLen: number,
  ) {
    this.chunkCount = Math.max(1, Math.ceil(numel / chunkLen));
    const bytesPerElement = inputs.reduce((s, r) => s + DTYPE_BYTES[r.dtype], 0);
    this.resident = numel * bytesPerElement <= RESIDENT_BYTES;
  }

  range(index: number): { start: number; len: number } {
    const start = index * this.chunkLen;
    return { start, len: Math.min(this.chunkLen, this.numel - start) };
  }

  /**
   * The chunk's packed buffer, uploading it if needed. Callers submit every command that
   * reads the previous chunk before binding another (it may be released).
   */
  bind(index: number): BoundChunk {
    const cached = this.chunks.get(index);
    if (cached) return cached;
    if (!this.resident) void this.dropAll();
    const { start, len } = this.range(index);
    const align = SLOT_ALIGN_WORDS;
    const words = this.inputs.map(
      (r) => Math.ceil((len * DTYPE_BYTES[r.dtype]) / (4 * align)) * align,
    );
    const total = Math.max(
      SLOT_ALIGN_WORDS,
      words.reduce((a, b) => a + b, 0),
    );
    const raw = this.rt.storage(total * 4, 'packed-inputs');
    const slots = new Uint32Array(MAX_INPUTS * 4);
    let offset = 0;
    this.inputs.forEach((r, k) => {
      slots[k * 4] = offset;
      slots[k * 4 + 1] = DTYPE_CODE[r.dtype];
      this.upload(raw, offset * 4, r, start, len);
      offset += words[k] as number;
    });
    const table = this.rt.uniform(slots);
    const chunk = { index, start, len, raw, rawBytes: total * 4, table };
    this.chunks.set(index, chunk);
    return chunk;
  }

  private upload(target: GPUBuffer, at: number, r: RawTensor, start: number, len: number): void {
    const size = DTYPE_BYTES[r.dtype];
    const bytes = r.bytes as Uint8Array<ArrayBuffer>;
    const begin = start * size;
    const count = len * size;
    const whole = count - (count % 4);
    if (whole > 0) this.rt.device.queue.writeBuffer(target, at, bytes, begin, whole);
    if (whole < count) {
      // An odd number of 16-bit elements: the last word is padded with zeros.
      const tail = new Uint8Array(4);
      tail.set(bytes.subarray(begin + whole, begin + count));
      this.rt.device.queue.writeBuffer(target, at + whole, tail);
    }
  }

  /** Resources for binding 0 (raw words) and 1 (input table) of common.wgsl. */
  bindings(chunk: BoundChunk): Record<number, GPUBuffer | { buffer: GPUBuffer; size: number }> {
    return { 0: { buffer: chunk.raw, size: chunk.rawBytes }, 1: chunk.table };
  }

  private dropAll(): Promise<void> {
    const buffers = [...this.chunks.values()].flatMap((c) => [c.raw, c.table]);
    this.chunks.clear();
    return buffers.length > 0 ? this.rt.release(buffers) : Promise.resolve();
  }

  /**
   * Resolves once the buffers are back in the pool. A caller that awaits it before its next
   * job lets that job reuse them: the merge of a streamed tensor otherwise held two chunks'
   * packed inputs (2 × 18 MiB for 9 f32 inputs, plus the driver's copy of each).
   */
  dispose(): Promise<void> {
    return this.dropAll();
  }
}
