import { describe, expect, it } from 'vitest';
import { SafetensorsError } from './errors';
import { previewValue } from './preview';
import { escapeTerminalText } from './terminal-text';

describe('escapeTerminalText', () => {
  it('shows ANSI escapes, CR, LF, C1 and bidi controls as visible escapes', () => {
    expect(escapeTerminalText('a\x1b[2Jb\rc\nd\te\u009bf\u202eg\x00')).toBe(
      'a\\x1b[2Jb\\rc\\nd\\te\\x9bf\\u202eg\\x00',
    );
    expect(escapeTerminalText('line 1\nline 2\x1b', { keepNewlines: true })).toBe(
      'line 1\nline 2\\x1b',
    );
    // Ordinary text, including non-ASCII names, passes through; escaping twice changes nothing.
    const once = escapeTerminalText('模型.weight ü \x1b');
    expect(escapeTerminalText(once)).toBe(once);
    expect(once).toBe('模型.weight ü \\x1b');
  });

  it('SafetensorsError messages never carry raw control characters', () => {
    const e = new SafetensorsError('f.safetensors', 'evil\x1b]0;title\x07\nerror: spoofed', 'bad');
    expect(e.message).toBe('f.safetensors: evil\\x1b]0;title\\x07\\nerror: spoofed: bad');
    expect(e.message.split('\n')).toHaveLength(1);
  });
});

describe('previewValue', () => {
  it('is bounded in depth, width and length (never recurses into deep input)', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(previewValue(deep)).toBe('[[[…]]]');
    expect(previewValue([1, 2, 3, 4, 5, 6, 7, 8])).toBe('[1, 2, 3, 4, 5, 6, … 8 items]');
    expect(previewValue('x'.repeat(100))).toBe(`"${'x'.repeat(40)}…"`);
    expect(previewValue(NaN)).toBe('NaN');
    expect(previewValue({ a: { b: { c: 1 } } })).toBe('{"a": {"b": {…}}}');
  });
});
