import { describe, expect, it } from 'vitest';
import { assertCompatible, checkCompatibility, parseNameFilter } from './compatibility';
import { CheckpointMismatchError } from './errors';
import type { Dtype, TensorInfo } from './types';

function ckpt(name: string, tensors: [string, Dtype, number[]][]) {
  const map = new Map<string, { info: TensorInfo }>();
  for (const [t, dtype, shape] of tensors)
    map.set(t, { info: { name: t, dtype, shape, begin: 0, end: 0 } });
  return { name, tensors: map };
}

const base = ckpt('base', [
  ['enc.w', 'F32', [4, 4]],
  ['enc.b', 'F32', [4]],
  ['head.w', 'F32', [2, 4]],
]);

describe('checkCompatibility', () => {
  it('finds nothing for identical layouts', () => {
    expect(
      checkCompatibility([
        base,
        ckpt(
          'b',
          [...base.tensors.values()].map((t) => [t.info.name, t.info.dtype, t.info.shape]),
        ),
      ]),
    ).toEqual([]);
  });

  it('reports missing tensors and shape differences as errors, dtype as info', () => {
    const other = ckpt('ft', [
      ['enc.w', 'F16', [4, 4]],
      ['head.w', 'F32', [3, 4]],
      ['extra', 'F32', [1]],
    ]);
    const found = checkCompatibility([base, other]);
    expect(found.map((m) => [m.severity, m.kind, m.tensor, m.checkpoint])).toEqual([
      ['info', 'dtype', 'enc.w', 'ft'],
      ['error', 'missing', 'enc.b', 'ft'],
      ['error', 'shape', 'head.w', 'ft'],
      ['error', 'missing', 'extra', 'base'],
    ]);
    expect(found[2]!.message).toBe('ft: head.w: shape [3, 4] differs from [2, 4] in base');
    expect(() => assertCompatible([base, other])).toThrow(CheckpointMismatchError);
  });

  it('lets task-specific tensors differ or be missing', () => {
    const other = ckpt('ft', [
      ['enc.w', 'F32', [4, 4]],
      ['enc.b', 'F32', [4]],
      ['head.w', 'F32', [10, 4]],
      ['head.extra', 'F32', [1]],
    ]);
    const info = assertCompatible([base, other], { taskSpecific: parseNameFilter('head.') });
    expect(info.map((m) => [m.severity, m.kind, m.tensor])).toEqual([
      ['info', 'shape', 'head.w'],
      ['info', 'missing', 'head.extra'],
    ]);
  });
});

describe('parseNameFilter', () => {
  it('matches substrings and /regex/flags, and nothing when empty', () => {
    const f = parseNameFilter('heads., decoder.,/^CLS\\./i');
    expect(f('model.heads.0.w')).toBe(true);
    expect(f('decoder.layer')).toBe(true);
    expect(f('cls.bias')).toBe(true);
    expect(f('x.cls.bias')).toBe(false);
    expect(f('encoder.layer')).toBe(false);
    expect(parseNameFilter('')('anything')).toBe(false);
    expect(() => parseNameFilter('/(/')).toThrow('invalid name filter');
  });
});
