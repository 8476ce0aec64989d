import { describe, expect, it } from 'vitest';
import { SafetensorsError } from './errors';
import { openSafetensors } from './safetensors-reader';
import { blobSource, memorySource } from './sources';
import { BAD_SAFETENSORS, encodeValues, makeValidSafetensors } from './testing/corpus';
import type { ByteSource } from './types';

const file = makeValidSafetensors(
  [
    { name: 'b.weight', dtype: 'F32', shape: [2, 2], values: [1, -2, 3.5, 0.25] },
    { name: 'a.half', dtype: 'F16', shape: [3], values: [0.5, -1, 65504] },
    { name: 'a.brain', dtype: 'BF16', shape: [2], values: [1.5, -256] },
    { name: 'd.double', dtype: 'F64', shape: [1, 2], values: [0.1, -3] },
    { name: 'c.ids', dtype: 'I32', shape: [2], values: [7, -9] },
    { name: 'empty', dtype: 'F32', shape: [0, 4] },
  ],
  { format: 'pt', note: 'hello' },
);

/** Wraps a source to log reads and hand back views at odd byte offsets. */
function spySource(inner: ByteSource, reads: [number, number][]): ByteSource {
  return {
    name: inner.name,
    size: inner.size,
    async read(begin, end) {
      reads.push([begin, end]);
      const bytes = await inner.read(begin, end);
      const odd = new Uint8Array(bytes.length + 1);
      odd.set(bytes, 1);
      return odd.subarray(1);
    },
  };
}

describe('openSafetensors', () => {
  it('lists tensors in file order with metadata and summary', async () => {
    const st = await openSafetensors(memorySource(file, 'm.safetensors'));
    expect([...st.tensors.keys()]).toEqual([
      'b.weight',
      'a.half',
      'a.brain',
      'd.double',
      'c.ids',
      'empty',
    ]);
    expect(st.tensors.get('a.half')).toMatchObject({
      dtype: 'F16',
      shape: [3],
      begin: 16,
      end: 22,
    });
    expect(st.metadata).toEqual({ format: 'pt', note: 'hello' });
    expect(st.parameterCount).toBe(4 + 3 + 2 + 2 + 2);
    expect(st.byteSize).toBe(file.length);
    const summary = st.summary();
    expect(summary.tensorCount).toBe(6);
    expect(summary.byteSize).toBe(16 + 6 + 4 + 16 + 8);
    expect(summary.dtypes.find((d) => d.dtype === 'F32')).toEqual({
      dtype: 'F32',
      tensors: 2,
      parameters: 4,
      bytes: 16,
    });
  });

  it('reads only the requested slice and converts floats to f32, even from unaligned bytes', async () => {
    const reads: [number, number][] = [];
    const st = await openSafetensors(spySource(memorySource(file, 'm.safetensors'), reads));
    reads.length = 0;
    expect([...(await st.readF32('b.weight'))]).toEqual([1, -2, 3.5, 0.25]);
    expect(reads).toEqual([[st.dataStart, st.dataStart + 16]]);
    expect([...(await st.readF32('a.half'))]).toEqual([0.5, -1, 65504]);
    expect([...(await st.readF32('a.brain'))]).toEqual([1.5, -256]);
    expect([...(await st.readF32('d.double'))]).toEqual([Math.fround(0.1), -3]);
    expect([...(await st.readF32('empty'))]).toEqual([]);
    expect(await st.readRaw('c.ids')).toEqual(encodeValues('I32', [7, -9]));
  });

  it('works from a Blob, slicing lazily', async () => {
    const st = await openSafetensors(
      blobSource(new Blob([file as Uint8Array<ArrayBuffer>]), 'blob.safetensors'),
    );
    expect([...(await st.readF32('a.brain'))]).toEqual([1.5, -256]);
  });

  it('refuses non-float reads and unknown tensors with named errors', async () => {
    const st = await openSafetensors(memorySource(file, 'm.safetensors'));
    await expect(st.readF32('c.ids')).rejects.toThrow(
      'm.safetensors: c.ids: dtype I32 is not floating point',
    );
    await expect(st.readRaw('nope')).rejects.toThrow('m.safetensors: nope: no such tensor');
  });

  it('accepts an empty file with only a header', async () => {
    const st = await openSafetensors(memorySource(makeValidSafetensors([]), 'e.safetensors'));
    expect(st.tensors.size).toBe(0);
    expect(st.parameterCount).toBe(0);
  });

  for (const entry of BAD_SAFETENSORS) {
    it(`rejects ${entry.kind} with a SafetensorsError naming the file${entry.tensor ? ' and tensor' : ''}`, async () => {
      const error = await openSafetensors(memorySource(entry.build(), 'bad.safetensors')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SafetensorsError);
      const e = error as SafetensorsError;
      expect(e.file).toBe('bad.safetensors');
      expect(e.tensor).toBe(entry.tensor);
      expect(e.problem).toMatch(entry.problem);
      expect(
        e.message.startsWith(`bad.safetensors: ${entry.tensor ? `${entry.tensor}: ` : ''}`),
      ).toBe(true);
    });
  }
});

describe('tensor names', () => {
  it('keeps file order for integer-like names and round-trips "__proto__"', async () => {
    const bytes = makeValidSafetensors([
      { name: 'b', dtype: 'F32', shape: [1] },
      { name: '10', dtype: 'F32', shape: [1] },
      { name: '__proto__', dtype: 'F32', shape: [1], values: [7] },
      { name: '2', dtype: 'F32', shape: [1] },
    ]);
    const st = await openSafetensors(memorySource(bytes, 'n.safetensors'));
    expect([...st.tensors.keys()]).toEqual(['b', '10', '__proto__', '2']);
    expect([...(await st.readF32('__proto__'))]).toEqual([7]);
  });
});
