"""Reference for `tokenizer_source: union`: our own transcription of mergekit's
mergekit/tokenizer/build.py (get_stripped_tokenizer, build_union_tokenizer, the permutations
of build_tokenizer) and embed.py (PermutedEmbeddings: assign_embedding_sources, the defaults),
on plain tokenizer.json dicts (no `tokenizers` package here), with HF's add_tokens rules
spelled out: a new token's id is one past the largest id; a string becomes an added token
{single_word: false, lstrip: false, rstrip: false, normalized: true, special: false}; an
added token whose content is already a vocabulary token keeps that id.

Order: mergekit walks each model's get_vocab(), a Rust hash map's order (not reproducible
from run to run); this reference and the studio walk it in id order.

Run: /usr/bin/python3 scripts/reference/union_tokenizer_reference.py
Writes src/merge/methods/fixtures/union_tokenizer.safetensors (the three input tokenizers
and the union tokenizer.json in the metadata, every model's tables and their permuted rows).
"""
import copy
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'merge', 'methods',
                   'fixtures', 'union_tokenizer.safetensors')
DIM = 3
TABLES = ['lm_head.weight', 'model.embed_tokens.weight']


def added(id_, content, special=True, normalized=False):
    return {'id': id_, 'content': content, 'single_word': False, 'lstrip': False,
            'rstrip': False, 'normalized': normalized, 'special': special}


# base: "bc" (id 6) and "<pad>"'s neighbour are beyond its 6 embedding rows -> stripped.
MODELS = {
    'base': ({'model': {'type': 'BPE', 'vocab': {'a': 0, 'b': 1, 'ab': 2, 'c': 3, 'bc': 6},
                        'merges': ['a b', 'b c']},
              'added_tokens': [added(4, '<s>'), added(5, '<pad>')]}, 6),
    'task1': ({'model': {'type': 'BPE', 'vocab': {'c': 0, 'a': 1, 'd': 2, 'ad': 3, 'b': 4},
                         'merges': [['a', 'd']]},
               'added_tokens': [added(5, '<s>'), added(6, '<tool>')]}, 7),
    # "<tool>" again with other settings (mergekit keeps the first); "x" is beyond its rows.
    'task2': ({'model': {'type': 'WordPiece',
                         'vocab': {'e': 0, 'a': 1, 'ab': 2, 'bc': 3, 'f': 4, 'x': 6}},
               'added_tokens': [added(5, '<tool>', special=False, normalized=True)]}, 6),
}
KEYS = ['base', 'task1', 'task2']


def get_vocab(tok):
    v = dict(tok['model']['vocab'])
    for a in tok['added_tokens']:
        v[a['content']] = a['id']
    return v


def stripped(tok, vocab_size):
    unused = [t for t, i in get_vocab(tok).items() if i >= vocab_size]
    if not unused:
        return tok
    assert tok['model']['type'] == 'BPE'
    out = copy.deepcopy(tok)
    out['added_tokens'] = [e for e in out['added_tokens'] if e['id'] < vocab_size]
    for t in unused:
        out['model']['vocab'].pop(t, None)

    def keep(m):
        toks = m.split(' ') if isinstance(m, str) else m
        return not any(t in unused for t in toks)
    out['model']['merges'] = [m for m in out['model']['merges'] if keep(m)]
    return out


def add_token(res, entry):
    """HF add_tokens on a fast tokenizer (tokenizers' AddedVocabulary.add_tokens)."""
    if any(a == entry for a in res['added_tokens']):
        return
    vocab = get_vocab(res)
    if entry['content'] in vocab:
        id_ = vocab[entry['content']]
        res['added_tokens'] = [a for a in res['added_tokens'] if a['id'] != id_]
    else:
        id_ = max(vocab.values()) + 1
    res['added_tokens'].append({**entry, 'id': id_})
    res['added_tokens'].sort(key=lambda a: a['id'])


def build_union(base_tok, toks):
    out_added, out_vocab = {}, {}
    for tok, vocab_size in toks:
        for t, i in sorted(get_vocab(tok).items(), key=lambda kv: kv[1]):
            if i >= vocab_size:
                continue
            if t not in out_vocab:
                out_vocab[t] = len(out_vocab)
        for a in sorted(tok['added_tokens'], key=lambda a: a['id']):
            if a['id'] >= vocab_size:
                continue
            info = {k: v for k, v in a.items() if k != 'id'}
            out_added.setdefault(a['content'], info)
    res = copy.deepcopy(base_tok)
    base_vocab = get_vocab(base_tok)
    for t in out_vocab:
        if t in out_added:
            continue
        if t not in base_vocab:
            add_token(res, {'content': t, 'single_word': False, 'lstrip': False,
                            'rstrip': False, 'normalized': True, 'special': False})
    for info in out_added.values():
        add_token(res, info)
    return res


def permutations(vocab_out, toks):
    perms = []
    for tok, vocab_size in toks:
        mv = get_vocab(tok)
        p = {}
        for t, new in vocab_out.items():
            if t not in mv:
                p[new] = -1
                continue
            if mv[t] >= vocab_size:
                continue  # mergekit leaves the key out (embed.py would then fail); absent here
            p[new] = mv[t]
        perms.append(p)
    return perms


def permuted(tables, perms, base, vocab_out):
    n = len(vocab_out)
    has = lambda p, i: p.get(i, -1) >= 0  # noqa: E731
    defaults = {}
    for t, i in vocab_out.items():
        holders = [m for m, p in enumerate(perms) if has(p, i)]
        if len(holders) == 1:
            defaults[i] = tables[holders[0]][perms[holders[0]][i]]
        elif not holders:
            defaults[i] = torch.zeros(DIM, dtype=torch.float32)
        elif has(perms[base], i):
            defaults[i] = tables[base][perms[base][i]]
        else:
            e = torch.zeros(DIM, dtype=torch.float32)
            for m in holders:
                e += tables[m][perms[m][i]]
            defaults[i] = e / len(holders)
    out = []
    for m, p in enumerate(perms):
        e = torch.zeros((n, DIM), dtype=torch.float32)
        for t, i in vocab_out.items():
            e[i] = tables[m][p[i]] if has(p, i) else defaults[i]
        out.append(e)
    return out


def main():
    rng = np.random.default_rng(21)
    toks = [MODELS[k] for k in KEYS]
    base_tok = stripped(toks[0][0], toks[0][1])
    union = build_union(base_tok, [(base_tok, toks[0][1])] + toks[1:])
    vocab_out = get_vocab(union)
    assert sorted(vocab_out.values()) == list(range(len(vocab_out)))
    perms = permutations(vocab_out, [(base_tok, toks[0][1])] + toks[1:])
    tensors = {}
    for name in TABLES:
        tables = []
        for key, (_, rows) in zip(KEYS, toks):
            t = rng.standard_normal((rows, DIM)).astype(np.float32)
            tensors[f'{key}.{name}'] = t
            tables.append(torch.from_numpy(t))
        for key, e in zip(KEYS, permuted(tables, perms, 0, vocab_out)):
            tensors[f'out.{key}.{name}'] = e.numpy()
    metadata = {f'tokenizer.{k}': json.dumps(MODELS[k][0]) for k in KEYS}
    metadata['tokenizer.union'] = json.dumps(union)
    metadata['rows'] = json.dumps({k: MODELS[k][1] for k in KEYS})
    write_safetensors(OUT, tensors, metadata)
    print('union vocabulary:', sorted(vocab_out, key=vocab_out.get))


if __name__ == '__main__':
    main()
