"""Regularizers plug into the training step in one of two ways:

- ``augment(x) -> x``: applied to real and fake images alike before the discriminator;
- ``d_penalty(D, real, fake, cond) -> scalar``: added to the discriminator's loss.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from zoo.condition import Condition


class Regularizer:
    """Base: no augmentation, no penalty. Subclasses override one or both."""

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def d_penalty(
        self, D: nn.Module, real: torch.Tensor, fake: torch.Tensor, cond: Condition | None
    ) -> torch.Tensor | None:
        return None


def _input_grad(D: nn.Module, x: torch.Tensor, cond: Condition | None) -> torch.Tensor:
    """``dD(x)/dx`` as ``[B, C*H*W]``, kept in the graph (the penalty is differentiated again)."""
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x, cond).sum(), x, create_graph=True)
    return grad.flatten(1)


class GradientPenalty(Regularizer):
    """WGAN-GP (Gulrajani et al. 2017): ``weight * (||grad D(x_hat)|| - 1)^2`` on random
    interpolates ``x_hat = eps * real + (1 - eps) * fake``, eps ~ U(0, 1) per sample."""

    def __init__(self, weight: float = 10.0):
        self.weight = weight

    def d_penalty(self, D, real, fake, cond):
        eps = torch.rand(real.shape[0], 1, 1, 1, device=real.device, dtype=real.dtype)
        x_hat = eps * real.detach() + (1 - eps) * fake.detach()
        norm = _input_grad(D, x_hat, cond).norm(2, dim=1)
        return self.weight * ((norm - 1) ** 2).mean()


class R1Penalty(Regularizer):
    """R1 (Mescheder et al. 2018): ``weight / 2 * ||grad D(real)||^2``."""

    def __init__(self, weight: float = 10.0):
        self.weight = weight

    def d_penalty(self, D, real, fake, cond):
        return self.weight / 2 * _input_grad(D, real, cond).pow(2).sum(1).mean()


class DiffAugment(Regularizer):
    """Differentiable augmentation (Zhao et al. 2020) of real and fake images alike.

    Args:
        policy: any of ``color``, ``translation``, ``cutout`` joined by commas.
        translation: largest shift as a fraction of the image size.
        cutout: side of the cut-out square as a fraction of the image size.
    """

    POLICIES = ("color", "translation", "cutout")

    def __init__(
        self,
        policy: str = "color,translation,cutout",
        translation: float = 0.125,
        cutout: float = 0.5,
    ):
        self.policy = [p.strip() for p in policy.split(",") if p.strip()]
        bad = [p for p in self.policy if p not in self.POLICIES]
        if bad:
            raise ValueError(f"unknown DiffAugment policy {bad[0]!r}; choose from {self.POLICIES}")
        self.translation = translation
        self.cutout = cutout

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        for p in self.policy:
            x = getattr(self, f"_{p}")(x)
        return x

    @staticmethod
    def _color(x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        x = x + (torch.rand(b, 1, 1, 1, device=x.device, dtype=x.dtype) - 0.5)  # brightness
        mean = x.mean(dim=1, keepdim=True)
        x = (x - mean) * (torch.rand(b, 1, 1, 1, device=x.device, dtype=x.dtype) * 2) + mean
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        return (x - mean) * (torch.rand(b, 1, 1, 1, device=x.device, dtype=x.dtype) + 0.5) + mean

    def _translation(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        sh, sw = int(h * self.translation + 0.5), int(w * self.translation + 0.5)
        dy = torch.randint(-sh, sh + 1, (b, 1, 1), device=x.device)
        dx = torch.randint(-sw, sw + 1, (b, 1, 1), device=x.device)
        gy, gx = torch.meshgrid(
            torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij"
        )
        gy = (gy[None] + dy + 1).clamp(0, h + 1)
        gx = (gx[None] + dx + 1).clamp(0, w + 1)
        padded = F.pad(x, [1, 1, 1, 1])  # zeros enter at the border
        idx = (gy * (w + 2) + gx).flatten(1)  # [B, H*W] into the padded image
        flat = padded.flatten(2)  # [B, C, (H+2)*(W+2)]
        return flat.gather(2, idx[:, None, :].expand(-1, x.shape[1], -1)).view_as(x)

    def _cutout(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        ch, cw = int(h * self.cutout + 0.5), int(w * self.cutout + 0.5)
        cy = torch.randint(0, h, (b, 1, 1), device=x.device)  # centre of the square
        cx = torch.randint(0, w, (b, 1, 1), device=x.device)
        gy, gx = torch.meshgrid(
            torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij"
        )
        inside = ((gy[None] - cy).abs() * 2 < ch) & ((gx[None] - cx).abs() * 2 < cw)  # [B, H, W]
        return x * (~inside)[:, None].to(x.dtype)
