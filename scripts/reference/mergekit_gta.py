"""mergekit's generalized task arithmetic after the sparsify step, in torch: our own
re-implementation (read, not copied) of arcee-ai/mergekit's generalized_task_arithmetic.py,
shared by the reference scripts (mergekit_exact_reference.py, dare_bf16_reference.py).

The weights become a tensor of the deltas' dtype; `sum` sign consensus keeps the weighted
deltas whose sign is the elected one (Σ ≥ 0 → +1); the divisor is Σ w·mask with only an exact
0 replaced by 1 (consensus) or Σ w with |div| < 1e-8 replaced (none); normalize divides, λ ≠ 1
multiplies; the result is cast back to the base's dtype. Every op runs in the deltas' dtype.
"""
import torch


def combine(base, deltas, weights, consensus, normalize, lam):
    """θ₀ + λ·mix(deltas): base and every delta already in the compute dtype."""
    deltas = torch.stack(deltas, dim=0)
    w = torch.tensor(weights, dtype=deltas.dtype)
    while len(deltas.shape) > len(w.shape):
        w.unsqueeze_(-1)
    wd = deltas * w
    if consensus:
        majority = (wd.sum(dim=0) >= 0).to(deltas.dtype) * 2 - 1
        mask = (wd.sign() == majority).to(deltas.dtype)
        mixed = (wd * mask).sum(dim=0)
        divisor = (w * mask).sum(dim=0)
        divisor[divisor == 0] = 1
    else:
        mixed = wd.sum(dim=0)
        divisor = w.sum(dim=0)
        divisor[divisor.abs() < 1e-8] = 1
    if normalize:
        mixed /= divisor
    if lam != 1:
        mixed *= lam
    return (base + mixed).to(base.dtype)
