"""Step 2 of the bf16 DARE check against torch: mergekit's dare_ties and dare_linear with its l1
rescale, run in torch with `dtype: bfloat16` as mergekit runs it — our own re-implementation
(read, not copied) of arcee-ai/mergekit's sparsify.py (`bernoulli` then
`rescaled_masked_tensor`: masked = δ·mask, factor = Σ|δ| / Σ|masked| as bf16 tensor ops,
skipped when either sum is < 1e-7) and generalized_task_arithmetic.py (weights a bf16 tensor,
`sum` sign consensus for dare_ties, none for dare_linear; both default to normalize: false,
lambda 1). The only change: the keep-mask is the fixture's (the studio's own draw, written by
step 1, scripts/reference/dare_bf16_masks.ts) in place of torch.bernoulli.

Run: /usr/bin/python3 scripts/reference/dare_bf16_reference.py
Adds to src/merge/methods/fixtures/mergekit_dare_bf16.safetensors: bf16.<method>.<name> (F32
values of bf16) and l1.<name> (each model's bf16 rescale factor; 1 where it is skipped).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from mergekit_gta import combine  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'merge', 'methods',
                       'fixtures', 'mergekit_dare_bf16.safetensors')
DTYPE = torch.bfloat16
EPS = 1e-7


def rescaled_masked(delta, mask):
    """mergekit's rescaled_masked_tensor with norm l1, in the tensor's dtype."""
    masked = delta * mask
    before = delta.abs().sum()
    after = masked.abs().sum()
    if before < EPS or after < EPS:
        return masked, torch.tensor(1.0, dtype=delta.dtype)
    factor = before / after
    return masked * factor, factor


def dare(base, models, masks, weights, consensus):
    """Returns (merged, per-model l1 factors); every op in the compute dtype."""
    base = base.to(DTYPE)
    deltas, factors = [], []
    for x, mask in zip(models, masks):
        delta, factor = rescaled_masked(x.to(DTYPE) - base, mask.to(DTYPE))
        deltas.append(delta)
        factors.append(factor)
    # normalize: false and lambda 1, both methods' defaults.
    return combine(base, deltas, weights, consensus, False, 1), torch.stack(factors)


def main():
    tensors, meta = read_safetensors(FIXTURE)
    settings = json.loads(meta['settings'])
    tasks = len(settings['weights'])
    names = [k[len('pool.base.'):] for k in tensors if k.startswith('pool.base.')]
    out = {k: v for k, v in tensors.items() if k.startswith(('pool.', 'mask.'))}
    for name in names:
        base = torch.from_numpy(tensors[f'pool.base.{name}'])
        models = [torch.from_numpy(tensors[f'pool.model{t}.{name}']) for t in range(tasks)]
        masks = [torch.from_numpy(tensors[f'mask.model{t}.{name}']) for t in range(tasks)]
        for method, consensus in (('dare_ties', True), ('dare_linear', False)):
            merged, factors = dare(base, models, masks, settings['weights'], consensus)
            out[f'bf16.{method}.{name}'] = merged.float().numpy()
        out[f'l1.{name}'] = factors.float().numpy()
    factors = [out[f'l1.{name}'] for name in names]
    # Both branches checked: rescaled tensors and ones whose tiny sums skip the rescale.
    assert any((f != 1).all() for f in factors) and any((f == 1).all() for f in factors)
    write_safetensors(FIXTURE, out, {**meta, 'torch': torch.__version__})
    print(f'wrote {FIXTURE}: {len(out)} tensors, torch {torch.__version__}')


if __name__ == '__main__':
    main()
