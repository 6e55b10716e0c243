"""Adversarial losses on discriminator logits: ``d_loss(real, fake)`` and ``g_loss(fake)``.

Logits are ``[B]`` tensors; each loss returns a scalar (the batch mean).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F


class NonSaturatingLoss:
    """D: -log sigmoid(real) - log(1 - sigmoid(fake)); G: -log sigmoid(fake)."""

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return F.softplus(-real).mean() + F.softplus(fake).mean()

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return F.softplus(-fake).mean()


class HingeLoss:
    """D: relu(1 - real) + relu(1 + fake); G: -fake."""

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return F.relu(1.0 - real).mean() + F.relu(1.0 + fake).mean()

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -fake.mean()


class WassersteinLoss:
    """Critic: fake - real (an estimate of -W1); G: -fake. Needs a Lipschitz constraint."""

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return fake.mean() - real.mean()

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return -fake.mean()


class LeastSquaresLoss:
    """D: (real - 1)^2 / 2 + fake^2 / 2; G: (fake - 1)^2 / 2."""

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((real - 1.0) ** 2).mean() + 0.5 * (fake**2).mean()

    def g_loss(self, fake: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((fake - 1.0) ** 2).mean()
