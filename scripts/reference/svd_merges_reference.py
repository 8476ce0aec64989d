"""Reference values for the SVD facility and the SVD-based merges (TSV-M, Iso-C, Iso-CTS,
CART), computed in torch float64 by our own re-implementation of each method's official
code (read, not copied):

- TSV-M: AntoAndGar/task_singular_vectors, src/utils/TSVM_utils.py,
  compute_and_sum_svd_mem_reduction (zero-padded stacks, SVD of each stack, u_u @ v_u).
- Iso-C / Iso-CTS: danielm1405/iso-merging, src/utils/iso.py.
- CART: JH-GEECS/CART, src/merging.py (_merge_weights, _get_truncated_task_vectors),
  with "2-D tensor" in place of the CLIP name filter ("attn"/"mlp", not ln/bias).

Task vectors are θₜ − θ₀ in float32 (as the official code and the studio compute them),
then widened. Run: /usr/bin/python3 scripts/reference/svd_merges_reference.py
Writes src/merge/methods/fixtures/svd_merges.safetensors (≈ 120 KB).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(
    os.path.dirname(__file__), '..', '..', 'src', 'merge', 'methods', 'fixtures',
    'svd_merges.safetensors')

rng = np.random.default_rng(21)
T = 3
SHAPES = {'w1': (24, 40), 'w2': (32, 16), 'b1': (40,)}
PARAMS = {
    'tsv_m': {'alpha': 1.0},
    'iso_c': {'alpha': 1.3},
    'iso_cts': {'alpha': 1.1, 'common_space_fraction': 0.8},
    'cart': {'alpha': 2.0, 'rank_ratio': 0.25},
}


def decaying(m, n, decay, scale):
    """A matrix with singular values scale·decayⁱ and random singular vectors."""
    r = min(m, n)
    u, _ = np.linalg.qr(rng.standard_normal((m, r)))
    v, _ = np.linalg.qr(rng.standard_normal((n, r)))
    s = scale * decay ** np.arange(r)
    return ((u * s) @ v.T).astype(np.float32)


def is_2d(t):
    return t.dim() == 2


def mean_of(taus):
    return sum(taus) / len(taus)


def tsv_m(taus, alpha):
    if not is_2d(taus[0]):
        return alpha * mean_of(taus)
    sv_reduction = 1 / len(taus)
    for i, tau in enumerate(taus):
        u, s, v = torch.linalg.svd(tau, full_matrices=False)
        if i == 0:
            sum_u, sum_s, sum_v = torch.zeros_like(u), torch.zeros_like(s), torch.zeros_like(v)
        k = int(s.shape[0] * sv_reduction)
        sum_u[:, i * k:(i + 1) * k] = u[:, :k]
        sum_s[i * k:(i + 1) * k] = s[:k]
        sum_v[i * k:(i + 1) * k, :] = v[:k, :]
    u_u, _, v_u = torch.linalg.svd(sum_u, full_matrices=False)
    u_v, _, v_v = torch.linalg.svd(sum_v, full_matrices=False)
    return alpha * torch.linalg.multi_dot((u_u, v_u, torch.diag(sum_s), u_v, v_v))


def iso_c(taus, alpha):
    if not is_2d(taus[0]):
        return alpha * mean_of(taus)
    u, s, v = torch.linalg.svd(sum(taus), full_matrices=False)
    return alpha * (u @ torch.diag(torch.ones_like(s) * s.mean()) @ v)


def iso_cts(taus, alpha, fraction):
    if not is_2d(taus[0]):
        return alpha * mean_of(taus)
    shape = taus[0].shape
    r = min(shape)
    common = int(r * fraction)
    common = r - round((r - common) / len(taus)) * len(taus)
    u, s, v = torch.linalg.svd(sum(taus), full_matrices=False)
    cu, cs, cv = u[:, :common], s[:common], v[:common, :]
    per = int((r - common) / len(taus))
    for i, w in enumerate(taus):
        w_ts = w - cu @ cu.T @ w
        ut, st, vt = torch.linalg.svd(w_ts, full_matrices=False)
        if i == 0:
            bu, bs, bv = torch.zeros_like(ut), torch.zeros_like(st), torch.zeros_like(vt)
        bu[:, i * per:(i + 1) * per] = ut[:, :per]
        bs[i * per:(i + 1) * per] = st[:per]
        bv[i * per:(i + 1) * per, :] = vt[:per, :]
    at = len(taus) * per
    bu[:, at:at + common] = cu
    bs[at:at + common] = cs
    bv[at:at + common, :] = cv
    a, _, b = torch.linalg.svd(bu, full_matrices=False)
    bu = a @ b
    a, _, b = torch.linalg.svd(bv, full_matrices=False)
    bv = a @ b
    bs = torch.ones_like(bs) * bs.mean()
    return alpha * torch.linalg.multi_dot((bu, torch.diag(bs), bv))


def cart(taus, alpha, ratio):
    """Returns Δ relative to θ₀: mean(τ) + α·Σ lowrank(τₜ − mean(τ))."""
    avg = sum(taus) * (1.0 / len(taus))
    total = torch.zeros_like(avg)
    for tau in taus:
        centred = tau - avg
        if is_2d(tau):
            u, s, vt = torch.linalg.svd(centred, full_matrices=False)
            r = s.shape[0]
            k = 0 if ratio == 0 else r if ratio == 1 else max(1, int(ratio * r))
            centred = (u[:, :k] * s[:k]) @ vt[:k, :]
        total = total + centred
    return avg + alpha * total


def main():
    tensors = {}
    # SVD facility: a decaying spectrum (randomised top-k) and a flat random one (exact).
    a = decaying(96, 160, 0.7, 10.0)
    tensors['svd.decaying'] = a
    tensors['svd.decaying_s'] = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    b = rng.standard_normal((40, 64)).astype(np.float32)
    tensors['svd.flat'] = b
    tensors['svd.flat_s'] = np.linalg.svd(b.astype(np.float64), compute_uv=False)

    # A pool: base + T task models; task vectors low-rank plus noise.
    for name, shape in SHAPES.items():
        base = rng.standard_normal(shape).astype(np.float32)
        tensors[f'pool.base.{name}'] = base
        taus = []
        for t in range(T):
            if len(shape) == 2:
                delta = decaying(*shape, 0.8, 1.0) + 0.01 * rng.standard_normal(shape)
            else:
                delta = 0.1 * rng.standard_normal(shape)
            model = (base + delta).astype(np.float32)
            tensors[f'pool.model{t}.{name}'] = model
            taus.append(torch.from_numpy((model - base).astype(np.float32)).double())
        b64 = torch.from_numpy(base).double()
        outs = {
            'tsv_m': tsv_m(taus, PARAMS['tsv_m']['alpha']),
            'iso_c': iso_c(taus, PARAMS['iso_c']['alpha']),
            'iso_cts': iso_cts(taus, PARAMS['iso_cts']['alpha'],
                               PARAMS['iso_cts']['common_space_fraction']),
            'cart': cart(taus, PARAMS['cart']['alpha'], PARAMS['cart']['rank_ratio']),
        }
        for method, delta in outs.items():
            tensors[f'{method}.{name}'] = (b64 + delta).numpy().astype(np.float32)
    write_safetensors(OUT, tensors, {'params': json.dumps(PARAMS), 'tasks': T})
    print(f'wrote {OUT} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    torch.manual_seed(0)
    main()
