"""Training objectives: the training step itself, so a plugin can add a new kind of GAN."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch

from zoo.model import GANModel


@dataclass
class Batch:
    """Real data for one step: ``images [B, C, H, W]`` in [-1, 1] plus labels or texts."""

    images: torch.Tensor
    labels: torch.Tensor | None = None
    texts: list[str] | None = None


class GANObjective:
    """Alternating updates (Goodfellow et al. 2014): ``n_dis`` D steps, then one G step.

    Each D step draws a fresh real batch; the G step reuses the last batch's conditions.
    """

    def __init__(self, loss: Any):
        self.loss = loss

    def step(
        self,
        model: GANModel,
        batches: Iterator[Batch],
        opt_g: torch.optim.Optimizer,
        opt_d: torch.optim.Optimizer,
        *,
        n_dis: int = 1,
    ) -> dict[str, float]:
        """Run one training step (``n_dis``: the architecture's ``train.n_dis``).

        Returns the last D loss and the G loss.
        """
        G, D = model.generator, model.discriminator
        device = model.device
        for _ in range(n_dis):
            batch = next(batches)
            real = batch.images.to(device)
            cond = model.encode(labels=batch.labels, texts=batch.texts)
            z = torch.randn(real.shape[0], model.z_dim, device=device)
            with torch.no_grad():
                fake = G(z, cond)
            d_loss = self.loss.d_loss(D(real, cond), D(fake, cond))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
        z = torch.randn(real.shape[0], model.z_dim, device=device)
        g_loss = self.loss.g_loss(D(G(z, cond), cond))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}
