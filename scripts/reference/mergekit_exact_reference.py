"""Reference values for mergekit's exactly-k trims (magnitude, Breadcrumbs' magnitude_outliers),
its consensus divisor and its bf16 compute dtype, from
our own re-implementation (read, not copied) of arcee-ai/mergekit: sparsify.py's `magnitude`
(torch.argsort(|δ|, descending=True)[:k]) and `magnitude_outliers`
(torch.sort(|δ|)[n_bot:-n_top]), generalized_task_arithmetic.py (task vectors, sparsify, weights as a tensor of the compute dtype, `sum` sign consensus, divisor, normalize,
lambda) and linear.py, run in torch with the compute dtype exactly as mergekit runs it (inputs
cast to the dtype when loaded; every op in that dtype).

Tie order: torch's CPU argsort is not stable. On ≤ 16 elements (torch 1.13: an insertion
sort) it keeps index order, so tensor `t16` is mergekit's literal code, asserted equal to a
stable sort; the larger tied tensor `w` uses a stable sort (mergekit with a stable sort —
torch's unstable order there is implementation-defined and differs between versions).

Run: /usr/bin/python3 scripts/reference/mergekit_exact_reference.py
Writes src/merge/methods/fixtures/mergekit_exact.safetensors (pool.* inputs as F32, outputs
as F32 values of the compute dtype).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from mergekit_gta import combine  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'merge', 'methods',
                   'fixtures', 'mergekit_exact.safetensors')
rng = np.random.default_rng(19)
TASKS = 3
SETTINGS = {
    'weights': [1.0, 0.3, 0.7],
    'linear_weights': [0.5, 0.3, 0.2, 0.6],
    'density': 0.5,
    'ta_lambda': 0.9,
    # Breadcrumbs' gamma: n_top = 1, 96, 6 on the 16, 960, 63-element tensors.
    'gamma': 0.1,
    # TIES with normalize under weights whose agreeing sums are tiny but not 0: mergekit's
    # consensus divisor replaces only exact zeros with 1 (the plain sum's, |div| < 1e-8).
    'tiny_weights': [3e-9, 5e-9, 2e-9],
}


def bf16_exact(a):
    return torch.from_numpy(a.astype(np.float32)).bfloat16().float().numpy()


def tied_pool(shape):
    """BF16 base and fine-tunes base + one of ±{1,2,3}/64: heavily tied |δ|."""
    base = bf16_exact(rng.uniform(-1, 1, shape))
    models = []
    for _ in range(TASKS):
        level = rng.integers(1, 4, shape) / 64 * rng.choice([-1, 1], shape)
        models.append(bf16_exact(base + level))
    return base, models


def plain_pool(shape):
    """F32 values that bf16 must round (the compute dtype's input rounding)."""
    base = rng.normal(0, 1, shape).astype(np.float32)
    return base, [(base + rng.normal(0, 0.05, shape)).astype(np.float32) for _ in range(TASKS)]


POOL = {'t16': tied_pool((4, 4)), 'w': tied_pool((24, 40)), 'u': plain_pool((7, 9))}


def magnitude(tensor, density, stable):
    if density >= 1:
        return tensor
    k = int(density * tensor.numel())
    w = tensor.abs().view(-1).float()
    order = torch.sort(w, descending=True, stable=True).indices if stable else \
        torch.argsort(w, descending=True)
    mask = torch.zeros_like(tensor)
    mask.view(-1)[order[:k]] = 1
    return tensor * mask


def magnitude_outliers(tensor, density, gamma, stable):
    """mergekit's Breadcrumbs trim: the slice [n_bot, N - n_top) of an ascending sort of |δ|."""
    if density >= 1:
        return tensor
    num_elems = tensor.numel()
    target_n = int(density * num_elems)
    n_top = int(gamma * num_elems)
    n_bot = num_elems - target_n - n_top
    if n_bot < 0:
        n_top += n_bot
        n_bot = 0
    # n_top = 0 would hit mergekit's [n_bot:-0] empty slice, which the studio does not copy.
    assert n_top > 0
    w = tensor.abs().view(-1).float()
    indices = torch.sort(w, descending=False, stable=True).indices if stable else \
        torch.sort(w, descending=False).indices
    mask = torch.zeros_like(tensor)
    mask.view(-1)[indices[n_bot:-n_top]] = 1
    return tensor * mask


def sparsified(delta, sparsify, stable):
    if sparsify == 'magnitude':
        return magnitude(delta, SETTINGS['density'], stable)
    if sparsify == 'magnitude_outliers':
        return magnitude_outliers(delta, SETTINGS['density'], SETTINGS['gamma'], stable)
    return delta


def gta(base, models, weights, dtype, sparsify, consensus, normalize, lam, stable):
    base = base.to(dtype)
    deltas = []
    for x in models:
        delta = sparsified(x.to(dtype) - base, sparsify, stable)
        deltas.append(delta)
    return combine(base, deltas, weights, consensus, normalize, lam)


def linear(tensors, weights, dtype):
    t = torch.stack([x.to(dtype) for x in tensors], dim=0)
    w = torch.tensor(weights, dtype=t.dtype)
    while len(w.shape) < len(t.shape):
        w.unsqueeze_(-1)
    return (w * t).sum(dim=0) / w.sum(dim=0)


def main():
    out = {}
    for name, (base, models) in POOL.items():
        out[f'pool.base.{name}'] = base
        for t, m in enumerate(models):
            out[f'pool.model{t}.{name}'] = m
        b = torch.from_numpy(base)
        ms = [torch.from_numpy(m) for m in models]
        stable = name != 't16'
        if not stable:
            for m in ms:
                d = (m - b).abs().view(-1)
                assert torch.equal(torch.argsort(d, descending=True),
                                   torch.sort(d, descending=True, stable=True).indices)
                assert torch.equal(torch.sort(d, descending=False).indices,
                                   torch.sort(d, descending=False, stable=True).indices)
        for key, dtype in (('f32', torch.float32), ('bf16', torch.bfloat16)):
            ws = SETTINGS['weights']
            ties = gta(b, ms, ws, dtype, 'magnitude', True, True, 1, stable)
            ta = gta(b, ms, ws, dtype, None, False, False, SETTINGS['ta_lambda'], stable)
            lin = linear([b, *ms], SETTINGS['linear_weights'], dtype)
            # mergekit's defaults for both: normalize false, no rescale.
            bc = gta(b, ms, ws, dtype, 'magnitude_outliers', False, False, 1, stable)
            bc_ties = gta(b, ms, ws, dtype, 'magnitude_outliers', True, False, 1, stable)
            tiny = gta(b, ms, SETTINGS['tiny_weights'], dtype, 'magnitude', True, True, 1, stable)
            out[f'{key}.ties.{name}'] = ties.float().numpy()
            out[f'{key}.task_arithmetic.{name}'] = ta.float().numpy()
            out[f'{key}.linear.{name}'] = lin.float().numpy()
            out[f'{key}.breadcrumbs.{name}'] = bc.float().numpy()
            out[f'{key}.breadcrumbs_ties.{name}'] = bc_ties.float().numpy()
            out[f'{key}.ties_tiny_weights.{name}'] = tiny.float().numpy()
    meta = {'settings': json.dumps(SETTINGS), 'torch': torch.__version__}
    write_safetensors(OUT, out, meta)
    print(f'wrote {OUT}: {len(out)} tensors')


if __name__ == '__main__':
    main()
