"""Normalisation pieces: conditional BatchNorm and optional spectral normalisation."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


def maybe_sn(module: nn.Module, sn: bool) -> nn.Module:
    """Wrap ``module`` in spectral normalisation (Miyato et al. 2018) when ``sn``."""
    return spectral_norm(module) if sn else module


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm whose scale and shift come from the condition (de Vries et al. 2017).

    ``x [B, C, H, W], cond [B, d] -> [B, C, H, W]``; without a condition it is plain BatchNorm.
    ``gamma = 1 + W_g c`` and ``beta = W_b c`` with linear maps of the condition (BigGAN).
    """

    def __init__(self, channels: int, cond_dim: int | None = None):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=cond_dim is None)
        self.gain = self.bias = None
        if cond_dim is not None:
            self.gain = nn.Linear(cond_dim, channels, bias=False)
            self.bias = nn.Linear(cond_dim, channels, bias=False)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        h = self.bn(x)
        if self.gain is None:
            return h
        gamma = 1.0 + self.gain(cond.to(x.dtype))[:, :, None, None]
        beta = self.bias(cond.to(x.dtype))[:, :, None, None]
        return h * gamma + beta
