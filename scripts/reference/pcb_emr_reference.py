"""Reference values for PCB and EMR, computed in torch float64 by our own re-implementation
of the official code (read, not copied):

- PCB: duguodong7/pcb-merging, pcb-merging.py `PCB_merge` (clamp, normalize, act = tanh),
  applied per tensor (`pcb.*`, pcb_scope: tensor) and, as the official code does, to the
  whole flattened model (`pcb_model.*`, pcb_scope: model),
  with per-task scales λₜ multiplied into the clamped vectors as vision_source_code/pcb.py does.
- EMR: harveyhuang18/EMR_Merging, merge_vit/src/main_emr_merging.py `emr_merge` over a
  dict of tensors (the rescalers sum per-tensor means over the whole model).

Task vectors are θₜ − θ₀ in float32, then widened. Run:
/usr/bin/python3 scripts/reference/pcb_emr_reference.py
Writes src/merge/methods/fixtures/pcb_emr.safetensors.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'merge', 'methods',
                   'fixtures', 'pcb_emr.safetensors')
rng = np.random.default_rng(2024)
T = 3
SHAPES = {'w1': (12, 20), 'b1': (20,), 'w2': (7, 9)}
PCB = {'pcb_ratio': 0.2, 'clamp_ratio': 0.01, 'weights': [1.0, 1.2, 0.8]}


def q_clamp(x, min_ratio, max_ratio):
    d = x.size(1)
    s, _ = torch.sort(x, dim=1)
    lo = s[:, int(d * min_ratio)].unsqueeze(1)
    hi = s[:, int(d * (1 - max_ratio) - 1)].unsqueeze(1)
    return torch.clamp(x, lo, hi)


def normalize(x, dim=1):
    lo, _ = torch.min(x, dim=dim, keepdim=True)
    hi, _ = torch.max(x, dim=dim, keepdim=True)
    return (x - lo) / (hi - lo)


def pcb(flat, ratio, q, lams):
    n, _ = flat.shape
    a = q_clamp(torch.abs(flat), q, q)
    clamped = torch.sign(flat) * a
    intra = torch.exp(n * normalize(a, 1) ** 2)
    inter = torch.tanh(flat * torch.sum(flat, dim=0))
    scale = normalize(q_clamp(intra * inter, 1 - ratio, 0), 1)
    tvs = clamped * torch.tensor(lams, dtype=torch.float64).unsqueeze(1)
    return torch.sum(tvs * scale, dim=0) / torch.clamp(torch.sum(scale, dim=0), min=1e-12)


def emr(task_vectors):
    names = list(task_vectors[0])
    unified, masks = {}, {}
    scales = torch.zeros(len(task_vectors), dtype=torch.float64)
    for n in names:
        mean = torch.stack([tv[n] for tv in task_vectors]).mean(0)
        flag = (mean > 0) * 2 - 1
        pmax = torch.zeros_like(task_vectors[0][n])
        masks[n] = []
        for m, tv in enumerate(task_vectors):
            mask = (tv[n] * flag) > 0
            masks[n].append(mask)
            pabs = torch.abs(mask * tv[n])
            pmax = torch.where(pabs > pmax, pabs, pmax)
            scales[m] += torch.mean(torch.abs(tv[n]))
        unified[n] = pmax * flag
    new = torch.zeros(len(task_vectors), dtype=torch.float64)
    for m in range(len(task_vectors)):
        for n in names:
            new[m] += torch.mean(torch.abs(unified[n] * masks[n][m]))
    return unified, masks, scales / new


def main():
    tensors = {}
    tvs = [dict() for _ in range(T)]
    for name, shape in SHAPES.items():
        base = rng.standard_normal(shape).astype(np.float32)
        tensors[f'pool.base.{name}'] = base
        flat = []
        for t in range(T):
            delta = 0.1 * rng.standard_normal(shape)
            delta[rng.random(shape) < 0.1] = 0  # exact zeros: ties in the election and the masks
            model = (base + delta).astype(np.float32)
            tensors[f'pool.model{t}.{name}'] = model
            tau = torch.from_numpy((model - base).astype(np.float32)).double()
            tvs[t][name] = tau
            flat.append(tau.reshape(-1))
        merged = pcb(torch.stack(flat), PCB['pcb_ratio'], PCB['clamp_ratio'], PCB['weights'])
        tensors[f'pcb.{name}'] = (torch.from_numpy(base).double().reshape(-1) + merged).reshape(
            shape).numpy().astype(np.float32)
    # pcb_scope: model — the official form: PCB_merge on the whole flattened model.
    flat = torch.stack([torch.cat([tvs[t][n].reshape(-1) for n in SHAPES]) for t in range(T)])
    merged = pcb(flat, PCB['pcb_ratio'], PCB['clamp_ratio'], PCB['weights'])
    offset = 0
    for name, shape in SHAPES.items():
        numel = int(np.prod(shape))
        base = torch.from_numpy(tensors[f'pool.base.{name}']).double().reshape(-1)
        tensors[f'pcb_model.{name}'] = (base + merged[offset:offset + numel]).reshape(
            shape).numpy().astype(np.float32)
        offset += numel
    unified, masks, rescalers = emr(tvs)
    for name in SHAPES:
        base = torch.from_numpy(tensors[f'pool.base.{name}']).double()
        tensors[f'emr.{name}'] = (base + unified[name]).numpy().astype(np.float32)
        tensors[f'emr_masks.{name}'] = torch.stack(
            [m.reshape(-1) for m in masks[name]]).numpy().astype(np.uint8)
    tensors['emr.rescalers'] = rescalers.numpy()
    # Each task's model as the official evaluation rebuilds it: θ₀ + unified·mask·rescaler.
    for t in range(T):
        for name in SHAPES:
            base = torch.from_numpy(tensors[f'pool.base.{name}']).double()
            tensors[f'emr_task{t}.{name}'] = (
                base + unified[name] * masks[name][t] * rescalers[t]).numpy().astype(np.float32)
    write_safetensors(OUT, tensors, {'pcb': json.dumps(PCB), 'tasks': T,
                                     'order': json.dumps(list(SHAPES))})
    print(f'wrote {OUT} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
