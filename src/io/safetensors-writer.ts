/**
 * Streaming safetensors writer: the header is computed up front from the tensor specs, then
 * tensors are streamed to the sink one at a time, in spec order. Nothing is buffered beyond
 * the tensor being written.
 */
import { SafetensorsError } from './errors';
import { METADATA_KEY } from './safetensors-header';
import { tensorByteSize } from './tensor-summary';
import { DTYPES, type ByteSink, type Dtype } from './types';

export interface TensorSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
}

/** Validates specs (the writer must never produce a file its own reader rejects). */
export function checkTensorSpecs(file: string, specs: readonly TensorSpec[]): void {
  const seen = new Set<string>();
  for (const s of specs) {
    if (s.name === METADATA_KEY) throw new SafetensorsError(file, s.name, 'reserved name');
    if (seen.has(s.name)) throw new SafetensorsError(file, s.name, 'tensor name listed twice');
    seen.add(s.name);
    if (!DTYPES.includes(s.dtype))
      throw new SafetensorsError(file, s.name, `unknown dtype "${s.dtype}"`);
    if (!s.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(
        file,
        s.name,
        `shape ${JSON.stringify(s.shape)} must be non-negative integers`,
      );
    }
    if (!Number.isInteger(tensorByteSize(s.dtype, s.shape)))
      throw new SafetensorsError(file, s.name, `${s.dtype} data must fill whole bytes`);
  }
}

const jsonEntry = (key: string, value: unknown) =>
  `${JSON.stringify(key)}:${JSON.stringify(value)}`;

/** Header bytes (length prefix included) for specs laid out back to back in order. */
export function encodeSafetensorsHeader(
  specs: readonly TensorSpec[],
  metadata?: Record<string, string>,
): { bytes: Uint8Array; dataSize: number } {
  // Entries are joined by hand: a JS object would move integer-like names ("0") first and
  // turn "__proto__" into a prototype, and the header should list tensors in spec order.
  const entries: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) entries.push(jsonEntry(METADATA_KEY, metadata));
  let offset = 0;
  for (const s of specs) {
    const size = tensorByteSize(s.dtype, s.shape);
    entries.push(
      jsonEntry(s.name, { dtype: s.dtype, shape: s.shape, data_offsets: [offset, offset + size] }),
    );
    offset += size;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  // Pad with spaces to a multiple of 8, as the reference implementation does, so the data
  // area starts 8-byte aligned.
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(json, 8);
  return { bytes, dataSize: offset };
}

export class SafetensorsWriter {
  readonly totalBytes: number;
  private readonly header: Uint8Array;
  private next = 0;
  /** Bytes of tensor `next` already written by writeTensorPart(). */
  private partial = 0;
  private headerWritten = false;
  private state: 'open' | 'finished' | 'aborted' = 'open';

  constructor(
    private readonly sink: ByteSink,
    private readonly specs: readonly TensorSpec[],
    metadata?: Record<string, string>,
  ) {
    checkTensorSpecs(sink.name, specs);
    for (const [k, v] of Object.entries(metadata ?? {})) {
      if (typeof v !== 'string')
        throw new SafetensorsError(sink.name, undefined, `metadata "${k}" must be a string`);
    }
    const { bytes, dataSize } = encodeSafetensorsHeader(specs, metadata);
    this.header = bytes;
    this.totalBytes = bytes.length + dataSize;
  }

  /** Name of the tensor expected next, or undefined when all were written. */
  get expectedNext(): string | undefined {
    return this.specs[this.next]?.name;
  }

  async writeTensor(name: string, bytes: Uint8Array): Promise<void> {
    if (this.partial > 0 && this.state === 'open') {
      await this.abort();
      throw new SafetensorsError(this.sink.name, name, 'a tensor was only partly written');
    }
    await this.writeTensorPart(name, bytes, true);
  }

  /**
   * Streams the next tensor in consecutive parts (a merge writes each chunk as it is
   * computed, so no whole output tensor is ever assembled); `last` closes the tensor, whose
   * parts must add up to exactly its bytes.
   */
  async writeTensorPart(name: string, bytes: Uint8Array, last: boolean): Promise<void> {
    if (this.state !== 'open')
      throw new SafetensorsError(this.sink.name, name, `writer is ${this.state}`);
    const spec = this.specs[this.next];
    if (!spec || spec.name !== name) {
      await this.abort();
      const expected = spec ? `expected "${spec.name}" next` : 'all tensors were already written';
      throw new SafetensorsError(this.sink.name, name, `written out of order: ${expected}`);
    }
    const size = tensorByteSize(spec.dtype, spec.shape);
    const total = this.partial + bytes.length;
    if (total > size || (last && total !== size)) {
      await this.abort();
      throw new SafetensorsError(
        this.sink.name,
        name,
        `got ${total} bytes but ${spec.dtype} ${JSON.stringify(spec.shape)} needs ${size}`,
      );
    }
    await this.writeHeaderOnce();
    if (bytes.length > 0) await this.sink.write(bytes);
    this.partial = last ? 0 : total;
    if (last) this.next++;
  }

  /** Completes the file (all tensors must have been written) and closes the sink. */
  async finish(): Promise<void> {
    if (this.state !== 'open')
      throw new SafetensorsError(this.sink.name, undefined, `writer is ${this.state}`);
    const missing = this.expectedNext;
    if (missing !== undefined) {
      await this.abort();
      throw new SafetensorsError(
        this.sink.name,
        missing,
        'finish() called before this tensor was written',
      );
    }
    await this.writeHeaderOnce();
    this.state = 'finished';
    await this.sink.close();
  }

  /** Discards the output; safe to call more than once. */
  async abort(reason?: unknown): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.sink.abort(reason);
  }

  private async writeHeaderOnce(): Promise<void> {
    if (this.headerWritten) return;
    this.headerWritten = true;
    await this.sink.write(this.header);
  }
}
