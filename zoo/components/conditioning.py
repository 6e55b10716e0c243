"""Conditioning by concatenation, shared by the MLP, DCGAN and ResNet networks."""

from __future__ import annotations

import torch

from zoo.condition import Condition


def with_condition(x: torch.Tensor, cond: Condition | None, cond_dim: int | None) -> torch.Tensor:
    """Append ``cond.vector [B, d]`` to ``x``: to a vector ``[B, n] -> [B, n + d]``, or as
    constant feature maps to an image ``[B, C, H, W] -> [B, C + d, H, W]``; ``x`` as it is when
    ``cond_dim`` is None (unconditional)."""
    if cond_dim is None:
        return x
    if cond is None:
        raise ValueError("this network is conditional: pass a Condition")
    c = cond.vector.to(x.dtype)
    if x.ndim == 4:
        c = c[:, :, None, None].expand(-1, -1, *x.shape[2:])
    return torch.cat([x, c], dim=1)
