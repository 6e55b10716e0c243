"""ResNet GAN networks (Miyato et al. 2018 SNGAN; Zhang et al. 2019 SAGAN; BigGAN-style blocks).

Generator: z -> 4x4 -> up-blocks (x2 each) -> image, conditioned through conditional BatchNorm,
with optional self-attention and word-level cross-attention after chosen resolutions.
Discriminator: down-blocks with spectral norm -> global sum pool -> logit, conditioned by
projection (Miyato & Koyama 2018), concatenation, or an auxiliary classifier (AC-GAN).
"""

from __future__ import annotations

import itertools

import torch
from torch import nn
from torch.nn import functional as F

from zoo.components.attention import CrossAttention2d, SelfAttention2d
from zoo.components.conditioning import with_condition
from zoo.components.norms import ConditionalBatchNorm2d, maybe_sn
from zoo.components.sizes import doublings
from zoo.condition import Condition


def _check_attn(where: list[int], allowed: list[int], what: str) -> None:
    bad = [r for r in where if r not in allowed]
    if bad:
        raise ValueError(f"{what} at resolution {bad[0]} is not possible; choose from {allowed}")


class GBlock(nn.Module):
    """``x [B, in, H, W], cond [B, d] -> [B, out, 2H, 2W]`` (CBN-ReLU-up-conv-CBN-ReLU-conv)."""

    def __init__(self, c_in: int, c_out: int, cond_dim: int | None, sn: bool):
        super().__init__()
        self.bn1 = ConditionalBatchNorm2d(c_in, cond_dim)
        self.conv1 = maybe_sn(nn.Conv2d(c_in, c_out, 3, 1, 1), sn)
        self.bn2 = ConditionalBatchNorm2d(c_out, cond_dim)
        self.conv2 = maybe_sn(nn.Conv2d(c_out, c_out, 3, 1, 1), sn)
        self.skip = maybe_sn(nn.Conv2d(c_in, c_out, 1), sn)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None) -> torch.Tensor:
        h = F.interpolate(F.relu(self.bn1(x, cond)), scale_factor=2.0)
        h = self.conv2(F.relu(self.bn2(self.conv1(h), cond)))
        return h + self.skip(F.interpolate(x, scale_factor=2.0))


class DBlock(nn.Module):
    """``x [B, in, H, W] -> [B, out, H/2, W/2]`` (ReLU-conv-ReLU-conv-avgpool; the first
    block skips the leading ReLU, as in SNGAN's optimised block)."""

    def __init__(self, c_in: int, c_out: int, first: bool, sn: bool = True):
        super().__init__()
        self.first = first
        self.conv1 = maybe_sn(nn.Conv2d(c_in, c_out, 3, 1, 1), sn)
        self.conv2 = maybe_sn(nn.Conv2d(c_out, c_out, 3, 1, 1), sn)
        self.skip = maybe_sn(nn.Conv2d(c_in, c_out, 1), sn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else F.relu(x)
        h = F.avg_pool2d(self.conv2(F.relu(self.conv1(h))), 2)
        skip = self.skip(F.avg_pool2d(x, 2)) if self.first else F.avg_pool2d(self.skip(x), 2)
        return h + skip


class ResNetGenerator(nn.Module):
    """``z [B, z_dim], cond -> image [B, C, R, R]`` in [-1, 1], R = 4 * 2**k.

    Args:
        ch: width at the output resolution; doubled per step towards 4x4, capped at ``max_ch``.
        self_attn: resolutions after which a SAGAN self-attention block runs.
        cross_attn: resolutions after which word-level cross-attention to the text tokens
            runs (needs a text condition with tokens).
        sn: spectral norm in the generator too (SAGAN does this).
    """

    def __init__(
        self,
        z_dim: int,
        resolution: int,
        channels: int,
        cond_dim: int | None = None,
        ch: int = 64,
        max_ch: int = 512,
        self_attn: list[int] | None = None,
        cross_attn: list[int] | None = None,
        sn: bool = False,
    ):
        super().__init__()
        n_up = doublings(resolution)
        sizes = [4 * 2 ** (i + 1) for i in range(n_up)]  # output size of each block
        _check_attn(self_attn or [], sizes, "self-attention")
        _check_attn(cross_attn or [], sizes, "cross-attention")
        if cross_attn and cond_dim is None:
            raise ValueError("cross-attention needs a text condition (cond_dim is None)")
        widths = [min(ch * 2 ** (n_up - i), max_ch) for i in range(n_up + 1)]  # at 4x4 ... R
        self.cond_dim = cond_dim
        self.start = widths[0]
        self.linear = maybe_sn(nn.Linear(z_dim, widths[0] * 16), sn)
        self.blocks = nn.ModuleList(
            GBlock(w_in, w_out, cond_dim, sn) for w_in, w_out in itertools.pairwise(widths)
        )
        self.self_attn = nn.ModuleDict(
            {
                str(r): SelfAttention2d(widths[i + 1], sn)
                for i, r in enumerate(sizes)
                if r in (self_attn or [])
            }
        )
        self.cross_attn = nn.ModuleDict(
            {
                str(r): CrossAttention2d(widths[i + 1], cond_dim, sn=sn)
                for i, r in enumerate(sizes)
                if r in (cross_attn or [])
            }
        )
        self.out = nn.Sequential(
            nn.BatchNorm2d(widths[-1]),
            nn.ReLU(),
            maybe_sn(nn.Conv2d(widths[-1], channels, 3, 1, 1), sn),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, cond: Condition | None = None) -> torch.Tensor:
        if self.cond_dim is not None and cond is None:
            raise ValueError("this generator is conditional: pass a Condition")
        vec = cond.vector if cond is not None and self.cond_dim is not None else None
        h = self.linear(z).view(z.shape[0], self.start, 4, 4)  # [B, w0, 4, 4]
        for block in self.blocks:
            h = block(h, vec)  # [B, w, 2H, 2W]
            key = str(h.shape[-1])
            if key in self.self_attn:
                h = self.self_attn[key](h)
            if key in self.cross_attn:
                if cond.tokens is None:
                    raise ValueError(
                        "cross-attention needs token features (a text encoder's tokens)"
                    )
                h = self.cross_attn[key](h, cond.tokens, cond.mask)
        return self.out(h)


class ResNetDiscriminator(nn.Module):
    """``image [B, C, R, R], cond -> logits [B]`` with spectral norm throughout.

    Args:
        ch: width after the first block; doubled per step down, capped at ``max_ch``.
        self_attn: resolutions after which a self-attention block runs.
        cond: how a condition enters: ``projection`` adds <embed(c), h> to the logit;
            ``concat`` appends the condition as input maps; ``ac`` adds an auxiliary
            classifier head (:meth:`classify`) instead.
        num_classes: classes of the auxiliary classifier (``cond: ac``).
    """

    def __init__(
        self,
        resolution: int,
        channels: int,
        cond_dim: int | None = None,
        ch: int = 64,
        max_ch: int = 1024,
        self_attn: list[int] | None = None,
        cond: str = "projection",
        num_classes: int | None = None,
        sn: bool = True,
    ):
        super().__init__()
        n_down = doublings(resolution)
        sizes = [resolution // 2 ** (i + 1) for i in range(n_down)]  # output size of each block
        _check_attn(self_attn or [], sizes, "self-attention")
        if cond == "ac" and cond_dim is not None and num_classes is None:
            raise ValueError("an auxiliary classifier (cond: ac) needs num_classes")
        self.cond_dim = cond_dim
        self.mode = cond if cond_dim is not None else "none"
        self.aux_classes = num_classes if self.mode == "ac" else 0
        widths = [min(ch * 2**i, max_ch) for i in range(n_down)]
        c_in = channels + (cond_dim if self.mode == "concat" else 0)
        self.blocks = nn.ModuleList(
            DBlock(w_in, w_out, first=i == 0, sn=sn)
            for i, (w_in, w_out) in enumerate(zip([c_in, *widths], widths, strict=False))
        )
        self.self_attn = nn.ModuleDict(
            {
                str(r): SelfAttention2d(widths[i], sn)
                for i, r in enumerate(sizes)
                if r in (self_attn or [])
            }
        )
        self.linear = maybe_sn(nn.Linear(widths[-1], 1), sn)
        self.embed = None
        self.classifier = None
        if self.mode == "projection":
            self.embed = maybe_sn(nn.Linear(cond_dim, widths[-1], bias=False), sn)
        elif self.mode == "ac":
            self.classifier = maybe_sn(nn.Linear(widths[-1], num_classes), sn)

    def forward(
        self, x: torch.Tensor, cond: Condition | None = None, return_features: bool = False
    ):
        if self.cond_dim is not None and cond is None:
            raise ValueError("this discriminator is conditional: pass a Condition")
        h = with_condition(x, cond, self.cond_dim if self.mode == "concat" else None)
        for block in self.blocks:
            h = block(h)
            key = str(h.shape[-1])
            if key in self.self_attn:
                h = self.self_attn[key](h)
        h = F.relu(h).sum(dim=(2, 3))  # [B, w_last]: global sum pooling
        logits = self.linear(h).squeeze(1)
        if self.embed is not None:
            logits = logits + (self.embed(cond.vector.to(h.dtype)) * h).sum(dim=1)  # projection
        return (logits, h) if return_features else logits

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        """AC-GAN head: ``features [B, w] -> class logits [B, num_classes]``."""
        if self.classifier is None:
            raise ValueError("this discriminator has no auxiliary classifier (cond: ac)")
        return self.classifier(features)
