"""Attention over feature maps: SAGAN self-attention and AttnGAN-style word-level cross-attention.

Both add their output through a learnable gate ``gamma`` that starts at 0 (Zhang et al. 2019),
so a freshly built network behaves like its attention-free counterpart.
"""

from __future__ import annotations

import torch
from torch import nn

from zoo.components.norms import maybe_sn


class SelfAttention2d(nn.Module):
    """SAGAN self-attention: every position attends to every other.

    ``x [B, C, H, W] -> [B, C, H, W]``; queries/keys have C/8 channels, values C/2.
    """

    def __init__(self, channels: int, sn: bool = False):
        super().__init__()
        self.query = maybe_sn(nn.Conv2d(channels, max(channels // 8, 1), 1, bias=False), sn)
        self.key = maybe_sn(nn.Conv2d(channels, max(channels // 8, 1), 1, bias=False), sn)
        self.value = maybe_sn(nn.Conv2d(channels, max(channels // 2, 1), 1, bias=False), sn)
        self.out = maybe_sn(nn.Conv2d(max(channels // 2, 1), channels, 1, bias=False), sn)
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x: torch.Tensor, return_weights: bool = False):
        b, _, h, w = x.shape
        q = self.query(x).flatten(2).transpose(1, 2)  # [B, HW, C/8]
        k = self.key(x).flatten(2)  # [B, C/8, HW]
        v = self.value(x).flatten(2).transpose(1, 2)  # [B, HW, C/2]
        weights = torch.softmax(q @ k, dim=-1)  # [B, HW, HW]
        o = (weights @ v).transpose(1, 2).reshape(b, -1, h, w)  # [B, C/2, H, W]
        y = x + self.gamma * self.out(o)
        return (y, weights) if return_weights else y


class CrossAttention2d(nn.Module):
    """Word-level attention (AttnGAN, Xu et al. 2018): each position attends to the text tokens.

    ``x [B, C, H, W], tokens [B, T, d], mask [B, T] (True = real token) -> [B, C, H, W]``.
    Padded tokens get exactly zero attention weight.
    """

    def __init__(self, channels: int, token_dim: int, attn_dim: int = 64, sn: bool = False):
        super().__init__()
        self.query = maybe_sn(nn.Conv2d(channels, attn_dim, 1, bias=False), sn)
        self.key = nn.Linear(token_dim, attn_dim, bias=False)
        self.value = nn.Linear(token_dim, channels, bias=False)
        self.gamma = nn.Parameter(torch.zeros(()))
        self.scale = attn_dim**-0.5

    def forward(
        self,
        x: torch.Tensor,
        tokens: torch.Tensor,
        mask: torch.Tensor | None = None,
        return_weights: bool = False,
    ):
        b, c, h, w = x.shape
        q = self.query(x).flatten(2).transpose(1, 2)  # [B, HW, a]
        k = self.key(tokens.to(x.dtype))  # [B, T, a]
        v = self.value(tokens.to(x.dtype))  # [B, T, C]
        scores = (q @ k.transpose(1, 2)) * self.scale  # [B, HW, T]
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, :].bool(), float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # [B, HW, T]
        context = (weights @ v).transpose(1, 2).reshape(b, c, h, w)  # [B, C, H, W]
        y = x + self.gamma * context
        return (y, weights) if return_weights else y
