import { describe, expect, it } from 'vitest';
import { encodeF32As } from './encode';
import { SafetensorsError } from './errors';
import { f16ToF32 } from './half';
import { openSafetensors } from './safetensors-reader';
import { SafetensorsWriter, type TensorSpec } from './safetensors-writer';
import { memorySink } from './sinks';
import { memorySource } from './sources';
import { encodeValues, patternValues } from './testing/corpus';

/** Minimal independent parser: u64 LE length, JSON, offsets relative to the data area. */
function miniParse(file: Uint8Array) {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(file.subarray(8, 8 + n));
  const header = JSON.parse(text) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const data = file.subarray(8 + n);
  const tensor = (name: string) => {
    const [b, e] = header[name]!.data_offsets;
    return data.subarray(b, e);
  };
  return { n, text, header, data, tensor };
}

const specs: TensorSpec[] = [
  { name: 'w', dtype: 'F32', shape: [3, 2] },
  { name: 'h', dtype: 'F16', shape: [5] },
  { name: 'z', dtype: 'BF16', shape: [0] },
  { name: 'i', dtype: 'I64', shape: [2] },
];
const payload: Record<string, Uint8Array> = {
  w: encodeF32As('F32', patternValues('w', 6)),
  h: encodeF32As('F16', patternValues('h', 5)),
  z: new Uint8Array(0),
  i: encodeValues('I64', [-1, 2 ** 40]),
};

async function writeAll(metadata?: Record<string, string>) {
  const sink = memorySink('out.safetensors');
  const writer = new SafetensorsWriter(sink, specs, metadata);
  for (const s of specs) await writer.writeTensor(s.name, payload[s.name]!);
  await writer.finish();
  return { bytes: sink.bytes(), writer };
}

describe('SafetensorsWriter', () => {
  it('writes a file the reader reads back byte-identically', async () => {
    const { bytes, writer } = await writeAll({ format: 'pt' });
    expect(bytes.length).toBe(writer.totalBytes);
    const st = await openSafetensors(memorySource(bytes, 'out.safetensors'));
    expect([...st.tensors.keys()]).toEqual(['w', 'h', 'z', 'i']);
    expect(st.metadata).toEqual({ format: 'pt' });
    for (const s of specs) {
      expect(st.tensors.get(s.name)).toMatchObject({ dtype: s.dtype, shape: s.shape });
      expect(await st.readRaw(s.name)).toEqual(payload[s.name]);
    }
  });

  it('produces what an independent minimal parser expects: padded header, packed offsets', async () => {
    const { bytes } = await writeAll();
    const p = miniParse(bytes);
    expect(p.n % 8).toBe(0);
    expect(p.text).toMatch(/^\{.*\} *$/);
    expect(p.header.__metadata__).toBeUndefined();
    expect(p.header.w).toEqual({ dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] });
    expect(p.header.h!.data_offsets).toEqual([24, 34]);
    expect(p.header.z!.data_offsets).toEqual([34, 34]);
    expect(p.header.i!.data_offsets).toEqual([34, 50]);
    expect(p.data.length).toBe(50);
    const h = p.tensor('h');
    const first = f16ToF32(h[0]! | (h[1]! << 8));
    expect(first).toBeCloseTo(patternValues('h', 1)[0]!, 3);
  });

  it('rejects out-of-order or wrongly sized tensors and aborts the sink', async () => {
    const sink = memorySink('o.safetensors');
    const writer = new SafetensorsWriter(sink, specs);
    await expect(writer.writeTensor('h', payload.h!)).rejects.toThrow(
      'o.safetensors: h: written out of order: expected "w" next',
    );
    expect(sink.state).toBe('aborted');

    const sink2 = memorySink('o.safetensors');
    const writer2 = new SafetensorsWriter(sink2, specs);
    await expect(writer2.writeTensor('w', new Uint8Array(20))).rejects.toThrow(
      'got 20 bytes but F32 [3,2] needs 24',
    );
    expect(sink2.state).toBe('aborted');
  });

  it('streams a tensor in parts: the same file as whole tensors; wrong part sizes abort', async () => {
    const whole = (await writeAll()).bytes;
    const sink = memorySink('parts.safetensors');
    const writer = new SafetensorsWriter(sink, specs);
    const w = payload.w!;
    await writer.writeTensorPart('w', w.subarray(0, 4), false);
    await writer.writeTensorPart('w', w.subarray(4, 4), false);
    await writer.writeTensorPart('w', w.subarray(4, 24), true);
    for (const s of specs.slice(1)) await writer.writeTensor(s.name, payload[s.name]!);
    await writer.finish();
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(whole))).toBe(true);

    const tooMuch = memorySink('o.safetensors');
    const w2 = new SafetensorsWriter(tooMuch, specs);
    await w2.writeTensorPart('w', w.subarray(0, 20), false);
    await expect(w2.writeTensorPart('w', w.subarray(0, 8), false)).rejects.toThrow(
      'o.safetensors: w: got 28 bytes but F32 [3,2] needs 24',
    );
    expect(tooMuch.state).toBe('aborted');

    const short = memorySink('o.safetensors');
    const w3 = new SafetensorsWriter(short, specs);
    await w3.writeTensorPart('w', w.subarray(0, 8), false);
    await expect(w3.writeTensorPart('w', w.subarray(0, 8), true)).rejects.toThrow(
      'got 16 bytes but F32 [3,2] needs 24',
    );
    expect(short.state).toBe('aborted');

    const mixed = memorySink('o.safetensors');
    const w4 = new SafetensorsWriter(mixed, specs);
    await w4.writeTensorPart('w', w.subarray(0, 8), false);
    await expect(w4.writeTensor('w', w)).rejects.toThrow('w: a tensor was only partly written');
    expect(mixed.state).toBe('aborted');
    // A half-written tensor is not complete: finish() refuses.
    const open = new SafetensorsWriter(memorySink('o.safetensors'), specs);
    await open.writeTensorPart('w', w, false);
    expect(open.expectedNext).toBe('w');
  });

  it('refuses to finish early and rejects bad specs up front', async () => {
    const sink = memorySink('o.safetensors');
    const writer = new SafetensorsWriter(sink, specs);
    await writer.writeTensor('w', payload.w!);
    await expect(writer.finish()).rejects.toThrow(
      'h: finish() called before this tensor was written',
    );
    expect(sink.state).toBe('aborted');
    expect(() => new SafetensorsWriter(memorySink('x'), [specs[0]!, specs[0]!])).toThrow(
      SafetensorsError,
    );
    expect(
      () => new SafetensorsWriter(memorySink('x'), [{ name: 'q', dtype: 'F32', shape: [-1] }]),
    ).toThrow('x: q: shape [-1] must be non-negative integers');
  });
});

describe('encodeF32As', () => {
  it('encodes F32, F16 and BF16 little-endian', () => {
    const values = new Float32Array([1, -2, 0.5]);
    expect([...encodeF32As('F32', values)]).toEqual([
      0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f,
    ]);
    expect([...encodeF32As('F16', values)]).toEqual([0, 0x3c, 0, 0xc0, 0, 0x38]);
    expect([...encodeF32As('BF16', values)]).toEqual([0x80, 0x3f, 0, 0xc0, 0, 0x3f]);
  });
});
