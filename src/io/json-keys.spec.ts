import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from './json-keys';

describe('findDuplicateKey', () => {
  it('finds a repeated top-level key', () => {
    expect(findDuplicateKey('{"a": 1, "b": {"a": 2}, "a": 3}')).toEqual({ key: 'a', path: [] });
  });

  it('finds a repeated key in a nested object and names the path', () => {
    expect(findDuplicateKey('{"w": {"dtype": "F32", "dtype": "F16"}}')).toEqual({
      key: 'dtype',
      path: ['w'],
    });
  });

  it('is not fooled by strings, escapes, arrays or equal keys in sibling objects', () => {
    const text = '{"x\\"y": [1, {"k": "a,\\"b\\":c"}, {"k": 2}], "k": "{\\"x\\"y\\": 1}", "z": []}';
    expect(JSON.parse(text)).toBeTruthy();
    expect(findDuplicateKey(text)).toBeUndefined();
    expect(findDuplicateKey('{"\\u0061": 1, "a": 2}')).toEqual({ key: 'a', path: [] });
  });
});
