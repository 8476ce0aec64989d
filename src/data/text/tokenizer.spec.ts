import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClipTokenizer, TokenizerLoadError } from './tokenizer';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const tokenizerJson = readFileSync(join(FIXTURES, 'tiny-clip-tokenizer.json'), 'utf8');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'clip-bpe-expected.json'), 'utf8')) as {
  pad: number;
  cases: { text: string; ids: number[]; padded: Record<string, number[]> }[];
};

describe('loadClipTokenizer against the simple_tokenizer.py reference', () => {
  const tok = loadClipTokenizer(tokenizerJson);

  it('has CLIP specials at the end of the vocabulary', () => {
    expect(tok.vocabSize).toBe(1024);
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([1022, 1023, 1023]);
    expect(expected.pad).toBe(tok.eosId);
  });

  it.each(expected.cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))(
    'ids of %s',
    (_label, c) => {
      expect(tok.encodeOne(c.text)).toEqual(c.ids);
      for (const [n, padded] of Object.entries(c.padded)) {
        const out = tok.encode([c.text], Number(n));
        expect([...out.ids]).toEqual(padded);
        const real = Math.min(c.ids.length, Number(n));
        expect([...out.attentionMask]).toEqual(padded.map((_, i) => (i < real ? 1 : 0)));
      }
    },
  );

  it('pads a batch to the longest row on request', () => {
    const out = tok.encode(['a cat', 'a photo of a big dog'], 77, { padding: 'longest' });
    const long = tok.encodeOne('a photo of a big dog');
    expect(out.length).toBe(long.length);
    expect(out.batch).toBe(2);
    expect([...out.ids.subarray(out.length)]).toEqual(long);
    const short = tok.encodeOne('a cat');
    expect([...out.ids.subarray(0, out.length)]).toEqual([
      ...short,
      ...Array<number>(out.length - short.length).fill(tok.padId),
    ]);
    expect(() => tok.encode(['x'], 1)).toThrow(RangeError);
  });
});

describe('tokenizer_config.json', () => {
  it('takes the pad token from the config (string or AddedToken object)', () => {
    const bang = loadClipTokenizer(tokenizerJson, JSON.stringify({ pad_token: '!' }));
    // As in LAION's exports, where "!" is id 0 (the first byte symbol of OpenAI's order).
    const bangId = 0;
    expect(bang.padId).toBe(bangId);
    expect([...bang.encode(['a'], 6).ids].slice(-2)).toEqual([bangId, bangId]);
    const obj = loadClipTokenizer(
      tokenizerJson,
      JSON.stringify({ pad_token: { content: '<|endoftext|>' } }),
    );
    expect(obj.padId).toBe(obj.eosId);
  });

  it('names the file on bad input', () => {
    expect(() => loadClipTokenizer('{')).toThrow(/^tokenizer\.json: not valid JSON/);
    expect(() => loadClipTokenizer('{"model": {"type": "WordPiece"}}')).toThrow(
      'tokenizer.json: expected a BPE model, got "WordPiece"',
    );
    expect(() => loadClipTokenizer(tokenizerJson, '{"pad_token": "<pad>"}')).toThrow(
      'tokenizer_config.json: pad_token "<pad>" is not in the vocabulary',
    );
    expect(() => loadClipTokenizer(tokenizerJson, '[1]')).toThrow(TokenizerLoadError);
  });
});
