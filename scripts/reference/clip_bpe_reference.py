#!/usr/bin/python3
"""Reference ids for src/data/text/tokenizer.ts: OpenAI CLIP's simple_tokenizer.py algorithm.

An independent re-statement of CLIP's tokenizer (openai/CLIP clip/simple_tokenizer.py, MIT):
bytes_to_unicode, whitespace_clean + lower, its split regex, the `</w>` word end and the
lowest-rank-first bpe() merge loop. It reads the vocabulary and merges from the tokenizer.json
that src/data/text/train-bpe.ts wrote (src/data/text/fixtures/tiny-clip-tokenizer.json) and
writes src/data/text/fixtures/clip-bpe-expected.json: the ids of fixed strings, untruncated
and as clip.tokenize(..., truncate=True) lays them out, padded with <|endoftext|>.

Differences from simple_tokenizer.py, all stated:
- ftfy.fix_text and html.unescape are omitted (neither is installed here, and the HF fast
  tokenizer does not run them either); ftfy's NFC normalisation is kept (unicodedata).
- Debian's python3 has no `regex` module, so the pattern is built for `re`: \\p{L} and \\p{N}
  become explicit character classes from unicodedata categories (L*: Lu Ll Lt Lm Lo; N*: Nd
  Nl No), and \\s becomes the Unicode White_Space set (what `regex` and Oniguruma mean by \\s;
  Python's own \\s also matches U+001C..U+001F, which no test string contains).
"""
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, '../../src/data/text/fixtures')


def char_class(categories):
    ranges, start, prev = [], None, None
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        inside = unicodedata.category(chr(cp)) in categories
        if inside and start is None:
            start = cp
        if not inside and start is not None:
            ranges.append((start, prev))
            start = None
        prev = cp
    if start is not None:
        ranges.append((start, prev))
    return ''.join(f'\\U{a:08x}' if a == b else f'\\U{a:08x}-\\U{b:08x}' for a, b in ranges)


L = char_class({'Lu', 'Ll', 'Lt', 'Lm', 'Lo'})
N = char_class({'Nd', 'Nl', 'No'})
WHITE_SPACE = '\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
PAT = re.compile(
    r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"
    f'[{L}]+|[{N}]|[^{WHITE_SPACE}{L}{N}]+', re.IGNORECASE)
WS = re.compile(f'[{WHITE_SPACE}]+')


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + \
        list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def get_pairs(word):
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


class SimpleTokenizer:
    def __init__(self, tokenizer_json):
        model = tokenizer_json['model']
        self.encoder = model['vocab']
        merges = [tuple(m.split(' ')) if isinstance(m, str) else tuple(m) for m in model['merges']]
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.byte_encoder = bytes_to_unicode()
        self.cache = {'<|startoftext|>': '<|startoftext|>', '<|endoftext|>': '<|endoftext|>'}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + '</w>',)
        pairs = get_pairs(word)
        if not pairs:
            return token + '</w>'
        while True:
            bigram = min(pairs, key=lambda p: self.bpe_ranks.get(p, float('inf')))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word, i = [], 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new_word.extend(word[i:])
                    break
                new_word.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        out = ' '.join(word)
        self.cache[token] = out
        return out

    def encode(self, text):
        text = unicodedata.normalize('NFC', text)
        text = WS.sub(' ', text).strip().lower()
        ids = []
        for token in PAT.findall(text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            ids.extend(self.encoder[t] for t in self.bpe(token).split(' '))
        return ids


STRINGS = [
    'a photo of a cat.',
    'A Photo Of A CAT.',
    'satellite imagery of annual crop land.',
    "it's a dog's life, isn't it? we'll see; they'd've I'M",
    '  lots   of\tspaces\n\nand newlines  ',
    'numbers 1234 and 3.14159 and 1,000,000',
    'punctuation!!! ??? ... --- (brackets) [x] {y} <z>',
    'émigré café naïve façade',
    'e\u0301migre\u0301 cafe\u0301',
    '日本語のテキスト',
    'emoji 😀🐱 test',
    'Ünïcödé ÀÉÎÕÜ ß straße',
    'a photo of the number: "7".',
    'a centered satellite photo of forest.',
    '<|startoftext|> hello <|endoftext|>',
    '',
    '   ',
    'x',
    'a photo of a ' + 'very ' * 100 + 'big dog.',
    'ünïcödé ' * 40,
    'red and white circle 20 kph speed limit',
    'end / de-restriction of 80 kph speed limit',
    'mixed123letters456',
    'tabs\tand\u00a0nbsp\u3000ideographic space',
    "don't stop believin'",
    'O\'Neil\'s café — “quoted” ‘single’',
    'a photo of a 2012 BMW M3 coupe.',
    'UPPER lower MiXeD',
    'over-the-counter e-mail x-ray',
    'Ωmega ΣΙΣΥΦΟΣ',
    'a photo of my dirty 2007 chevrolet silverado 2500hd regular cab.',
]
CONTEXT_LENGTHS = [77, 16]


def main():
    with open(os.path.join(FIXTURES, 'tiny-clip-tokenizer.json')) as f:
        tok = SimpleTokenizer(json.load(f))
    bos, eos = tok.encoder['<|startoftext|>'], tok.encoder['<|endoftext|>']
    cases = []
    for s in STRINGS:
        full = [bos] + tok.encode(s) + [eos]
        padded = {}
        for n in CONTEXT_LENGTHS:
            ids = full if len(full) <= n else full[:n - 1] + [eos]  # clip.tokenize truncate=True
            padded[str(n)] = ids + [eos] * (n - len(ids))
        cases.append({'text': s, 'ids': full, 'padded': padded})
    with open(os.path.join(FIXTURES, 'clip-bpe-expected.json'), 'w') as f:
        json.dump({'pad': eos, 'cases': cases}, f, ensure_ascii=False)
        f.write('\n')


if __name__ == '__main__':
    main()
