"""Reference values for mergekit's newer methods, computed in torch float64 by our own
re-implementation of the formulas in arcee-ai/mergekit mergekit/merge_methods/ (nuslerp.py,
multislerp.py, karcher.py, sce.py, nearswap.py, arcee_fusion.py, ram.py; read, not copied).
arcee_fusion's quantiles use every element (mergekit samples 1e6 of larger tensors).

Run: /usr/bin/python3 scripts/reference/mergekit_reference.py
Writes src/merge/methods/fixtures/mergekit.safetensors.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'merge', 'methods',
                   'fixtures', 'mergekit.safetensors')
rng = np.random.default_rng(7)
SHAPES = {'w': (6, 10), 'v': (12,)}
SETTINGS = {
    'nuslerp_weights': [1.0, 2.0],
    'multislerp_weights': [1.0, 0.5, 2.0],
    'sce_topk': 0.5,
    'nearswap_t': 0.05,
    'ramplus': {'r': 0.5, 'alpha': 0.8, 'epsilon': 1e-5},
}


def nuslerp(t, v0, v1, dim=-1, eps=1e-8, flatten=False):
    shape = v0.shape

    def unit(x):
        return x / torch.norm(x, dim=-1, keepdim=True).clamp(min=1e-7)

    if flatten:
        v0, v1 = v0.reshape(-1), v1.reshape(-1)
    elif dim != -1:
        v0, v1 = v0.transpose(dim, -1), v1.transpose(dim, -1)
    cos = torch.sum(unit(v0) * unit(v1), dim=-1, keepdim=True)
    theta = torch.acos(cos.clamp(-1, 1))
    sin = torch.sin(theta)
    colinear = (sin.abs() < eps).squeeze()
    res = (torch.sin((1 - t) * theta) * v0 + torch.sin(t * theta) * v1) / sin
    res[colinear] = (1 - t) * v0[colinear] + t * v1[colinear]
    if dim != -1 and not flatten:
        res = res.transpose(dim, -1)
    return res.reshape(shape)


def multislerp(tensors, weight, base=None, eps=1e-8):
    x = torch.stack(tensors)
    if base is not None:
        x = x - base
    flat = x.reshape(x.shape[0], -1)
    w = torch.tensor(weight, dtype=x.dtype)
    w = w / w.sum()
    norms = torch.norm(flat, dim=-1, keepdim=True)
    units = flat / (norms + eps)
    mean = (units * w.view(-1, 1)).sum(0)
    mean = mean / torch.norm(mean)
    dots = (units * mean).sum(-1, keepdim=True)
    tangent = ((units - dots * mean) * w.view(-1, 1)).sum(0)
    tn = torch.norm(tangent) + eps
    res = (mean * torch.cos(tn) + tangent * (torch.sin(tn) / tn)) * (norms.squeeze(-1) * w).sum()
    res = res.reshape(x.shape[1:])
    return res + base if base is not None else res


def karcher(tensors, max_iter=10, tol=1e-5):
    alphas = [1.0 / len(tensors)] * len(tensors)
    norms = [torch.linalg.norm(t).item() for t in tensors]
    units = [t / n for t, n in zip(tensors, norms)]
    valid = [i for i, n in enumerate(norms) if n > tol]
    a_sum = sum(alphas[i] for i in valid)
    na = [alphas[i] / a_sum for i in valid]
    vu = [units[i] for i in valid]
    u = sum(a * x for a, x in zip(na, vu))
    u = u / torch.linalg.norm(u)
    for _ in range(max_iter):
        step = torch.zeros_like(u)
        for a, x in zip(na, vu):
            dot = torch.clamp(torch.dot(u.flatten(), x.flatten()), -1.0, 1.0)
            theta = torch.arccos(dot)
            if theta.item() < tol:
                continue
            step += a * (theta / torch.sin(theta)) * (x - dot * u)
        nt = torch.linalg.norm(step)
        if nt.item() < tol:
            break
        u = torch.cos(nt) * u + torch.sin(nt) * (step / nt)
        un = torch.linalg.norm(u)
        if un.item() > tol:
            u = u / un
    return sum(a * n for a, n in zip(alphas, norms)) * u


def sce(tensors, base, topk):
    tv = torch.stack([t - base for t in tensors])
    if topk < 1:
        var = torch.var(tv, dim=0, unbiased=False)
        k = int(torch.count_nonzero(var) * topk)
        _, idx = torch.topk(var.abs().view(-1), k=k, largest=True)
        mask = torch.zeros_like(var)
        mask.view(-1)[idx] = 1
        tv = tv * mask.unsqueeze(0)
    majority = (tv.sum(dim=0) >= 0).to(tv.dtype) * 2 - 1
    erase = (tv.sign() == majority).to(tv.dtype)
    w = torch.mean(tv ** 2, dim=list(range(1, tv.dim())))
    w = w / w.sum() if abs(w.sum().item()) >= 1e-6 else torch.ones_like(w) / w.shape[0]
    while w.dim() < tv.dim():
        w = w.unsqueeze(-1)
    ew = w * erase
    return base + (tv * ew).sum(0) / ew.sum(0).clamp(min=1e-6)


def nearswap(a, b, t):
    w = (t / torch.abs(a - b).clamp(min=1e-6)).clamp(min=0, max=1)
    return w * b + (1 - w) * a


def arcee_fusion(a, b):
    diff = (b - a).abs()
    p = torch.softmax(b, dim=-1) + 1e-8
    q = torch.softmax(a, dim=-1) + 1e-8
    kl = torch.sum(p * torch.log(p / q), dim=-1)
    imp = diff * kl.unsqueeze(-1)
    s, _ = torch.sort(imp.reshape(-1))

    def qv(x):
        return s[int(x * (s.numel() - 1))]

    thr = qv(0.5) + 1.5 * (qv(0.75) - qv(0.25))
    return a + (b - a) * (imp >= thr).to(a.dtype)


def ram_vectors(tensors, base, eps):
    tv = torch.stack([t - base for t in tensors]).reshape(len(tensors), -1)
    nz = tv.abs() > eps
    counts = nz.sum(dim=0, keepdim=True)
    return tv, nz, counts, counts > 1, counts == 1


def ram(tensors, base, eps=1e-5):
    tv, nz, counts, overlap, unique = ram_vectors(tensors, base, eps)
    z = tv * nz
    merged = (z * unique + z * overlap / counts.clamp(min=1)).sum(dim=0)
    return base + merged.reshape_as(base)


def ramplus_tl(tensors, base, r, alpha, eps):
    tv, nz, counts, overlap, unique = ram_vectors(tensors, base, eps)
    rho = (nz & overlap).sum(dim=1) / (nz & unique).sum(dim=1).clamp(min=eps)
    lam = 1 + r * rho.clamp(min=0, max=alpha)
    z = tv * nz
    merged = (z * unique * lam.unsqueeze(-1) + z * overlap / counts.clamp(min=1)).sum(dim=0)
    return base + merged.reshape_as(base)


def main():
    tensors = {}
    for name, shape in SHAPES.items():
        base = rng.standard_normal(shape).astype(np.float32)
        tensors[f'pool.base.{name}'] = base
        ms = []
        for t in range(3):
            delta = 0.1 * rng.standard_normal(shape)
            delta[rng.random(shape) < 0.4] = 0  # unchanged entries (RAM's unique / shared)
            m = (base + delta).astype(np.float32)
            tensors[f'pool.model{t}.{name}'] = m
            ms.append(torch.from_numpy(m).double())
        b = torch.from_numpy(base).double()
        w0, w1 = SETTINGS['nuslerp_weights']
        t = w1 / (w0 + w1)
        out = {
            'nuslerp.flat': nuslerp(t, ms[0], ms[1], flatten=True),
            'nuslerp.rows': nuslerp(t, ms[0], ms[1], dim=-1),
            'nuslerp.cols': nuslerp(t, ms[0], ms[1], dim=0),
            'nuslerp.base': b + nuslerp(t, ms[0] - b, ms[1] - b, flatten=True),
            'multislerp.base': multislerp(ms, SETTINGS['multislerp_weights'], b),
            'multislerp.plain': multislerp(ms, SETTINGS['multislerp_weights']),
            'karcher': karcher(ms),
            'sce': sce(ms, b, SETTINGS['sce_topk']),
            'sce1': sce(ms, b, 1.0),
            'nearswap': nearswap(b, ms[0], SETTINGS['nearswap_t']),
            'arcee_fusion': arcee_fusion(b, ms[0]),
            'ram': ram(ms, b),
            'ramplus_tl': ramplus_tl(ms, b, **{k: SETTINGS['ramplus'][k] for k in ('r', 'alpha')},
                                     eps=SETTINGS['ramplus']['epsilon']),
        }
        for key, value in out.items():
            tensors[f'{key}.{name}'] = value.numpy().astype(np.float32)
    write_safetensors(OUT, tensors, {'settings': json.dumps(SETTINGS)})
    print(f'wrote {OUT} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
