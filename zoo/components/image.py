"""Image encoders on timm backbones: images -> a vector (and a token grid)."""

from __future__ import annotations

import torch
from torch import nn

from zoo.condition import Condition


class TimmImageEncoder(nn.Module):
    """A timm backbone with ``features_only=True`` and a linear head.

    ``images [B, C, H, W] in [-1, 1] -> Condition(vector [B, dim], tokens [B, h*w, dim],
    mask [B, h*w])`` read from the deepest feature map. Used as the inference network of
    VAE-GAN (``dim = 2 * z_dim``: mean and log-variance) and for image conditions.

    Args:
        backbone: any timm model name that supports ``features_only``.
        pretrained: load timm's pretrained weights (from its cache or the Hub).
        freeze: keep the backbone fixed (the head still trains).
    """

    def __init__(
        self,
        channels: int,
        dim: int,
        backbone: str = "resnet18",
        pretrained: bool = False,
        freeze: bool = False,
    ):
        super().__init__()
        import timm

        self.backbone = timm.create_model(
            backbone, features_only=True, pretrained=pretrained, in_chans=channels, out_indices=[-1]
        )
        width = self.backbone.feature_info.channels()[-1]
        self.head = nn.Linear(width, dim)
        self.freeze = freeze
        if freeze:
            self.backbone.requires_grad_(False)

    def forward(self, images: torch.Tensor) -> Condition:
        (fmap,) = self.backbone(images)  # [B, width, h, w]
        tokens = self.head(fmap.flatten(2).transpose(1, 2))  # [B, h*w, dim]
        mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        return Condition(vector=tokens.mean(1), tokens=tokens, mask=mask)
