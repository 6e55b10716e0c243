"""The networks. Shapes follow zoo's tensor contracts (see zoo's DESIGN and docstrings)."""

from __future__ import annotations

import torch
from torch import nn


class TinyGenerator(nn.Module):
    """``z [B, z_dim] (+ cond.vector [B, d]) -> image [B, C, R, R]`` in [-1, 1] (tanh)."""

    def __init__(
        self,
        z_dim: int,
        resolution: int,
        channels: int,
        cond_dim: int | None = None,
        width: int = 64,
    ):
        super().__init__()
        self.cond_dim = cond_dim
        self.shape = (channels, resolution, resolution)
        self.net = nn.Sequential(
            nn.Linear(z_dim + (cond_dim or 0), width),
            nn.ReLU(),
            nn.Linear(width, channels * resolution * resolution),
        )

    def forward(self, z: torch.Tensor, cond=None) -> torch.Tensor:
        if self.cond_dim is not None:
            z = torch.cat([z, cond.vector.to(z.dtype)], dim=1)
        return torch.tanh(self.net(z)).view(-1, *self.shape)


class TinyDiscriminator(nn.Module):
    """``image [B, C, R, R] (+ cond.vector [B, d]) -> logits [B]``."""

    def __init__(
        self, resolution: int, channels: int, cond_dim: int | None = None, width: int = 64
    ):
        super().__init__()
        self.cond_dim = cond_dim
        self.body = nn.Sequential(
            nn.Linear(channels * resolution * resolution + (cond_dim or 0), width),
            nn.LeakyReLU(0.2),
        )
        self.out = nn.Linear(width, 1, bias=False)  # hinge/Wasserstein losses cannot learn a bias

    def forward(self, x: torch.Tensor, cond=None, return_features: bool = False):
        h = x.flatten(1)
        if self.cond_dim is not None:
            h = torch.cat([h, cond.vector.to(h.dtype)], dim=1)
        h = self.body(h)
        logits = self.out(h).squeeze(1)
        return (logits, h) if return_features else logits
