"""Components on frozen timm feature pyramids."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


class FrozenPyramid(nn.Module):
    """``images [B, C, H, W] in [-1, 1] -> the deepest `levels` feature maps of a timm backbone``.

    The backbone never trains and always runs in eval mode; gradients still flow to the input
    (the generator needs them). Weights: a local file (``weights``), timm's pretrained weights
    (``pretrained``), or random initialisation; ``source`` says which.
    """

    def __init__(
        self, backbone: str, pretrained: bool, weights: str | None, levels: int, channels: int
    ):
        super().__init__()
        import timm

        overlay = {"file": weights} if weights else None
        self.net = timm.create_model(
            backbone,
            features_only=True,
            pretrained=bool(pretrained or weights),
            pretrained_cfg_overlay=overlay,
        )
        n = len(self.net.feature_info)
        if not 1 <= levels <= n:
            raise ValueError(f"{backbone} has {n} feature levels; levels must be 1..{n}")
        self.keep = list(range(n - levels, n))
        self.widths = [self.net.feature_info.channels()[i] for i in self.keep]
        self.source = weights or ("timm pretrained" if pretrained else "random initialisation")
        self.channels = channels
        cfg = self.net.pretrained_cfg
        self.register_buffer("mean", torch.tensor(cfg.get("mean", (0.5,) * 3)).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(cfg.get("std", (0.5,) * 3)).view(1, 3, 1, 1))
        self.net.requires_grad_(False)
        self.net.eval()

    def train(self, mode: bool = True) -> FrozenPyramid:
        super().train(mode)
        self.net.eval()  # frozen: BatchNorm statistics never move
        return self

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        if self.channels == 1:
            x = x.expand(-1, 3, -1, -1)
        x = ((x + 1) / 2 - self.mean) / self.std
        feats = self.net(x)
        return [feats[i] for i in self.keep]  # [B, c_l, H_l, W_l] per level


class ProjectedDiscriminator(nn.Module):
    """``image [B, C, R, R] -> logits [B]``: the mean of per-level head logits.

    Each level of the frozen pyramid gets a trainable head (SN conv3x3 - LeakyReLU - SN conv1x1)
    whose logit map is averaged; the level logits are summed.
    """

    def __init__(
        self,
        resolution: int,
        channels: int,
        backbone: str = "resnet18",
        pretrained: bool = False,
        weights: str | None = None,
        levels: int = 4,
        width: int = 64,
    ):
        super().__init__()
        self.pyramid = FrozenPyramid(backbone, pretrained, weights, levels, channels)
        self.heads = nn.ModuleList(
            nn.Sequential(
                spectral_norm(nn.Conv2d(c, width, 3, padding=1)),
                nn.LeakyReLU(0.2),
                spectral_norm(nn.Conv2d(width, 1, 1)),
            )
            for c in self.pyramid.widths
        )

    def forward(self, x: torch.Tensor, cond=None, return_features: bool = False):
        feats = self.pyramid(x)
        logits = sum(head(f).mean(dim=(1, 2, 3)) for head, f in zip(self.heads, feats, strict=True))
        if return_features:
            return logits, feats[-1].mean(dim=(2, 3))  # [B, c_last]
        return logits


class PyramidEncoder(nn.Module):
    """``images -> Condition(vector [B, dim], tokens [B, sum_l H_l*W_l, dim], mask)``: every
    position of every pyramid level, mapped to ``dim`` by a trainable linear map per level."""

    def __init__(
        self,
        channels: int,
        dim: int,
        backbone: str = "resnet18",
        pretrained: bool = False,
        weights: str | None = None,
        levels: int = 4,
    ):
        super().__init__()
        self.pyramid = FrozenPyramid(backbone, pretrained, weights, levels, channels)
        self.maps = nn.ModuleList(nn.Linear(c, dim) for c in self.pyramid.widths)

    def forward(self, images: torch.Tensor):
        from zoo.condition import Condition

        tokens = torch.cat(
            [
                m(f.flatten(2).transpose(1, 2))
                for m, f in zip(self.maps, self.pyramid(images), strict=True)
            ],
            dim=1,
        )
        mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        return Condition(vector=tokens.mean(1), tokens=tokens, mask=mask)
