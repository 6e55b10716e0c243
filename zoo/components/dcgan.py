"""DCGAN (Radford, Metz & Chintala 2016): all-convolutional, BatchNorm, ReLU in G and
LeakyReLU in D, no pooling. Conditional form: the condition is concatenated to z in G and
appended as constant feature maps to the image in D."""

from __future__ import annotations

import itertools

import torch
from torch import nn

from zoo.components.conditioning import with_condition
from zoo.components.sizes import doublings
from zoo.condition import Condition


def _widths(ch: int, max_ch: int, n: int) -> list[int]:
    """Channel widths at the n feature resolutions, widest first: [.., 4ch, 2ch, ch]."""
    return [min(ch * 2 ** (n - 1 - i), max_ch) for i in range(n)]


def _init(module: nn.Module) -> None:
    """DCGAN init: conv weights ~ N(0, 0.02), BatchNorm scales ~ N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def _norm(kind: str, channels: int) -> list[nn.Module]:
    """BatchNorm, LayerNorm over (C, H, W) (as GroupNorm with one group), or nothing."""
    if kind == "batch":
        return [nn.BatchNorm2d(channels)]
    if kind == "layer":
        return [nn.GroupNorm(1, channels)]
    if kind == "none":
        return []
    raise ValueError(f"norm must be 'batch', 'layer' or 'none', got {kind!r}")


class DCGANGenerator(nn.Module):
    """``z [B, z_dim] (+ cond.vector [B, d]) -> image [B, C, R, R]``, R = 4 * 2**k.

    z is projected to a 4x4 map by a 4x4 transposed convolution; each following
    transposed convolution (kernel 4, stride 2) doubles the size and halves the width.
    """

    def __init__(
        self,
        z_dim: int,
        resolution: int,
        channels: int,
        cond_dim: int | None = None,
        ch: int = 64,
        max_ch: int = 512,
    ):
        super().__init__()
        n_up = doublings(resolution)
        self.cond_dim = cond_dim
        widths = _widths(ch, max_ch, n_up)  # at 4x4, 8x8, ..., R/2 x R/2
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim + (cond_dim or 0), widths[0], 4, 1, 0, bias=False),  # -> 4x4
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(True),
        ]
        for w_in, w_out in itertools.pairwise(widths):
            layers += [
                nn.ConvTranspose2d(w_in, w_out, 4, 2, 1, bias=False),
                nn.BatchNorm2d(w_out),
                nn.ReLU(True),
            ]
        layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1), nn.Tanh()]  # -> R x R
        self.net = nn.Sequential(*layers)
        _init(self)

    def forward(self, z: torch.Tensor, cond: Condition | None = None) -> torch.Tensor:
        h = with_condition(z, cond, self.cond_dim)  # [B, z_dim + d]
        return self.net(h[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """``image [B, C, R, R] (+ cond.vector [B, d] as maps) -> logits [B]``.

    Each strided convolution (kernel 4, stride 2) halves the size and doubles the
    width down to 4x4; a 4x4 convolution gives one logit. No normalisation on the first
    layer; ``norm`` chooses it for the others (a WGAN-GP critic should not use BatchNorm).
    """

    def __init__(
        self,
        resolution: int,
        channels: int,
        cond_dim: int | None = None,
        ch: int = 64,
        max_ch: int = 512,
        norm: str = "batch",
    ):
        super().__init__()
        n_down = doublings(resolution)
        self.cond_dim = cond_dim
        widths = _widths(ch, max_ch, n_down)[::-1]  # at R/2, R/4, ..., 4x4
        layers: list[nn.Module] = [
            nn.Conv2d(channels + (cond_dim or 0), widths[0], 4, 2, 1),
            nn.LeakyReLU(0.2, True),
        ]
        for w_in, w_out in itertools.pairwise(widths):
            layers += [
                nn.Conv2d(w_in, w_out, 4, 2, 1, bias=norm == "none"),
                *_norm(norm, w_out),
                nn.LeakyReLU(0.2, True),
            ]
        self.features = nn.Sequential(*layers)
        self.out = nn.Conv2d(
            widths[-1], 1, 4, 1, 0, bias=False
        )  # 4x4 -> 1x1; a critic could not learn a bias
        _init(self)

    def forward(
        self, x: torch.Tensor, cond: Condition | None = None, return_features: bool = False
    ):
        x = with_condition(x, cond, self.cond_dim)  # [B, C + d, R, R]
        h = self.features(x)  # [B, widths[-1], 4, 4]
        logits = self.out(h).flatten()
        return (logits, h) if return_features else logits
