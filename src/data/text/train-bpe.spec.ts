import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_VOCAB_SIZE, fixtureCorpus } from './fixtures/fixture-corpus';
import { loadClipTokenizer } from './tokenizer';
import { buildClipTokenizerJson, bytesToUnicode, learnClipMerges } from './train-bpe';

describe('bytesToUnicode', () => {
  it('is GPT-2/CLIP’s map', () => {
    const m = bytesToUnicode();
    expect(new Set(m).size).toBe(256);
    expect(m[0x41]).toBe('A');
    expect(m[0x20]).toBe('Ġ'); // space: the 33rd unprintable byte → U+0100 + 32
    expect(m[0x00]).toBe('Ā');
    expect(m[0xad]).toBe('Ń'); // soft hyphen, the last unprintable → U+0143
    expect(m[0xff]).toBe('ÿ');
  });
});

describe('learnClipMerges', () => {
  it('merges by frequency until no pair is left (checked by hand)', () => {
    // Words (counts): "aab"×2 → a a b</w>; "ab"×1 → a b</w>.
    // Pairs: (a,a)=2, (a,b</w>)=3 → merge a + b</w>. Then a ab</w> ×2 → merge a + ab</w>.
    // Then no word has two symbols: training stops below the requested size.
    const { merges, vocab } = learnClipMerges(['aab aab ab'], 600, { minFrequency: 1 });
    expect(merges).toEqual([
      ['a', 'b</w>'],
      ['a', 'ab</w>'],
    ]);
    expect(vocab.slice(512)).toEqual(['ab</w>', 'aab</w>']);
    expect(vocab[0]).toBe('!');
    expect(vocab[256]).toBe('!</w>');
  });

  it('breaks a tie between equal counts by the left symbol, then the right', () => {
    // "xy" and "xz" once each, "wz" once: all three pairs count 1; ("w","z</w>") is smallest.
    const { merges } = learnClipMerges(['xy xz wz'], 515, { minFrequency: 1 });
    expect(merges).toEqual([['w', 'z</w>']]);
  });

  it('stops when no pair is frequent enough and refuses tiny sizes', () => {
    expect(learnClipMerges(['ab cd'], 2000).merges).toEqual([]);
    expect(() => learnClipMerges(['ab'], 100)).toThrow('vocabSize must be an integer ≥ 514');
  });
});

describe('buildClipTokenizerJson', () => {
  it('reproduces the committed fixture (deterministic training)', () => {
    const built = JSON.parse(buildClipTokenizerJson(fixtureCorpus(), FIXTURE_VOCAB_SIZE));
    const fixture = JSON.parse(
      readFileSync(join(import.meta.dirname, 'fixtures', 'tiny-clip-tokenizer.json'), 'utf8'),
    );
    expect(built).toEqual(fixture);
  });

  it('gives a tokenizer whose frequent words are single tokens', () => {
    const tok = loadClipTokenizer(
      buildClipTokenizerJson(
        ['a photo of a cat'.repeat(1), 'a photo of a dog', 'a photo of the cat'],
        530,
      ),
    );
    const ids = tok.encodeOne('a photo of a cat');
    expect(ids[0]).toBe(tok.bosId);
    expect(ids[ids.length - 1]).toBe(tok.eosId);
    // "photo" occurs 3 times, so its merges were all learned: one token.
    expect(tok.encodeOne('photo')).toHaveLength(3);
    expect(tok.encodeOne('zebra').length).toBeGreaterThan(3);
  });
});
