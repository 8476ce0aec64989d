import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, ZooFormatError } from './safetensors-lite';
import { openSafetensors, memorySource } from '../io';

describe('safetensors-lite', () => {
  const tensors = new Map([
    ['encoder.a', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ['heads.t.bias', { shape: [1], data: Float32Array.from([-0.5]) }],
  ]);

  it('round-trips names, shapes and values, with an 8-byte aligned header', () => {
    const bytes = encodeSafetensors(tensors, { seed: '1' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = decodeSafetensors(bytes, 'x.safetensors');
    expect([...back.keys()]).toEqual(['encoder.a', 'heads.t.bias']);
    expect(back.get('encoder.a')!.shape).toEqual([2, 3]);
    expect([...back.get('heads.t.bias')!.data]).toEqual([-0.5]);
  });

  it('writes files the project reader accepts', async () => {
    const file = await openSafetensors(memorySource(encodeSafetensors(tensors), 'x.safetensors'));
    expect([...(await file.readF32('encoder.a'))]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names the file and tensor when offsets do not fit', () => {
    const bytes = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'cut.safetensors')).toThrow(
      /cut\.safetensors: tensor "heads\.t\.bias"/,
    );
    expect(() => decodeSafetensors(new Uint8Array(4), 'tiny.safetensors')).toThrow(ZooFormatError);
  });
});
