"""The plain fully connected GAN (Goodfellow et al. 2014) and its conditional form
(Mirza & Osindero 2014): the condition vector is concatenated to the input."""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from zoo.components.conditioning import with_condition
from zoo.condition import Condition


def _mlp(widths: list[int], dropout: float = 0.0) -> nn.Sequential:
    layers: list[nn.Module] = []
    for w_in, w_out in itertools.pairwise(widths):
        layers += [nn.Linear(w_in, w_out), nn.LeakyReLU(0.2)]
        if dropout:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """``z [B, z_dim] (+ cond.vector [B, d]) -> image [B, C, H, W]`` in [-1, 1]."""

    def __init__(
        self,
        z_dim: int,
        resolution: int,
        channels: int,
        cond_dim: int | None = None,
        hidden: list[int] | None = None,
    ):
        super().__init__()
        hidden = hidden or [256, 512, 1024]
        self.cond_dim = cond_dim
        self.shape = (channels, resolution, resolution)
        self.body = _mlp([z_dim + (cond_dim or 0), *hidden])
        self.out = nn.Linear(hidden[-1], math.prod(self.shape))

    def forward(self, z: torch.Tensor, cond: Condition | None = None) -> torch.Tensor:
        h = self.body(with_condition(z, cond, self.cond_dim))  # [B, hidden[-1]]
        return torch.tanh(self.out(h)).view(-1, *self.shape)


class MLPDiscriminator(nn.Module):
    """``image [B, C, H, W] (+ cond.vector [B, d]) -> logits [B]``."""

    def __init__(
        self,
        resolution: int,
        channels: int,
        cond_dim: int | None = None,
        hidden: list[int] | None = None,
        dropout: float = 0.3,
    ):
        super().__init__()
        hidden = hidden or [1024, 512, 256]
        self.cond_dim = cond_dim
        self.body = _mlp([channels * resolution * resolution + (cond_dim or 0), *hidden], dropout)
        self.out = nn.Linear(hidden[-1], 1)

    def forward(
        self, x: torch.Tensor, cond: Condition | None = None, return_features: bool = False
    ):
        h = self.body(with_condition(x.flatten(1), cond, self.cond_dim))  # [B, hidden[-1]]
        logits = self.out(h).squeeze(1)
        return (logits, h) if return_features else logits
