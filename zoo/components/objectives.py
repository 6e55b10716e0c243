"""Training objectives: the training step itself, so a plugin can add a new kind of GAN.

An objective names the parameter groups it updates (:meth:`parameter_groups`, one optimizer
each) and runs one step (:meth:`step`). Discriminators may carry an auxiliary classifier:
those with ``aux_classes > 0`` implement ``classify(features) -> [B, aux_classes]``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from zoo.condition import Condition
from zoo.model import GANModel


@dataclass
class Batch:
    """Real data for one step: ``images [B, C, H, W]`` in [-1, 1] plus labels or texts."""

    images: torch.Tensor
    labels: torch.Tensor | None = None
    texts: list[str] | None = None


Optimizers = Mapping[str, torch.optim.Optimizer]


@contextlib.contextmanager
def frozen(module: nn.Module):
    """Stop gradients into ``module``'s trainable parameters (e.g. D during G's step)."""
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


def encode_batch(model: GANModel, batch: Batch) -> Condition | None:
    """The condition of a real batch: its labels or its captions, as the model needs."""
    if model.condition == "class":
        labels = batch.labels.to(model.device) if batch.labels is not None else None
        return model.encode(labels=labels)
    if model.condition == "text":
        return model.encode(texts=batch.texts)
    return None


def _update(opt: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def _trainable(modules: Sequence[nn.Module]) -> list[nn.Parameter]:
    return [p for m in modules for p in m.parameters() if p.requires_grad]


class GANObjective:
    """Alternating updates (Goodfellow et al. 2014): ``n_dis`` D steps, then one G step.

    - regularizers: ``augment`` is applied to every image D sees (real and fake alike);
      ``d_penalty`` terms are added to D's loss;
    - text conditions: D also sees real images with mismatched captions as negatives
      (matching-aware D of GAN-INT-CLS, Reed et al. 2016); the fake and mismatched terms
      share the negative side equally;
    - a discriminator with an auxiliary classifier adds AC-GAN's cross-entropy on the
      class of real (D) and generated (D and G) images (Odena et al. 2017).

    Trainable condition encoders are updated with D. Each D step draws a fresh real batch;
    the G step reuses the conditions and the generated images of the last one (one generator
    forward pass per D step, as in DCGAN's reference code).
    """

    def __init__(self, loss: Any, regularizers: Sequence[Any] = ()):
        self.loss = loss
        self.regularizers = list(regularizers)

    def parameter_groups(self, model: GANModel) -> dict[str, list[nn.Parameter]]:
        return {
            "g": _trainable([model.generator]),
            "d": _trainable([model.discriminator, *model.encoders.values()]),
        }

    def _augment(self, x: torch.Tensor) -> torch.Tensor:
        for reg in self.regularizers:
            x = reg.augment(x)
        return x

    def _d_out(self, D: nn.Module, x: torch.Tensor, cond: Condition | None):
        """Logits of augmented ``x``, and class logits when D has an auxiliary classifier."""
        if getattr(D, "aux_classes", 0):
            logits, features = D(self._augment(x), cond, return_features=True)
            return logits, D.classify(features)
        return D(self._augment(x), cond), None

    def step(
        self, model: GANModel, batches: Iterator[Batch], optimizers: Optimizers, *, n_dis: int = 1
    ) -> dict[str, float]:
        """One training step (``n_dis``: the architecture's ``train.n_dis``); returns losses."""
        G, D = model.generator, model.discriminator
        device = model.device
        logs: dict[str, float] = {}
        for i in range(n_dis):
            batch = next(batches)
            real = batch.images.to(device)
            cond = encode_batch(model, batch)
            z = torch.randn(real.shape[0], model.z_dim, device=device)
            last = i == n_dis - 1
            # The last D step's fakes keep their graph: the G step reuses them (as in DCGAN),
            # which saves a generator forward pass per step.
            with contextlib.nullcontext() if last else torch.no_grad():
                generated = G(z, cond.detach() if cond is not None else None)
            fake = generated.detach()
            real_logits, real_cls = self._d_out(D, real, cond)
            fake_logits, fake_cls = self._d_out(D, fake, cond)
            if model.condition == "text" and real.shape[0] > 1:
                wrong = cond[torch.roll(torch.arange(real.shape[0], device=device), 1)]
                mismatch_logits, _ = self._d_out(D, real, wrong)
                fake_logits = torch.cat([fake_logits, mismatch_logits])
            d_loss = self.loss.d_loss(real_logits, fake_logits)
            logs["d_adv"] = d_loss.item()
            if real_cls is not None:
                ac = F.cross_entropy(real_cls, cond.labels) + F.cross_entropy(fake_cls, cond.labels)
                d_loss = d_loss + ac
                logs["d_ac"] = ac.item()
            for reg in self.regularizers:
                penalty = reg.d_penalty(D, real, fake, cond)
                if penalty is not None:
                    d_loss = d_loss + penalty
                    logs[f"d_{type(reg).__name__}"] = penalty.item()
            _update(optimizers["d"], d_loss)
            logs["d_loss"] = d_loss.item()

        cond = cond.detach() if cond is not None else None
        with frozen(D):
            fake_logits, fake_cls = self._d_out(D, generated, cond)
            g_loss = self.loss.g_loss(fake_logits)
            if fake_cls is not None:
                g_loss = g_loss + F.cross_entropy(fake_cls, cond.labels)
            _update(optimizers["g"], g_loss)
        logs["g_loss"] = g_loss.item()
        return logs


class VAEGANObjective(GANObjective):
    """VAE-GAN (Larsen et al. 2016): an encoder ``encoders.latent`` maps images to q(z|x);
    the generator decodes; reconstruction is measured in D's feature space.

    - E minimises ``kl_weight * KL(q(z|x) || N(0, I)) + rec``;
    - G minimises ``rec_weight * rec + adversarial loss`` on reconstructions and samples;
    - D sees reconstructions and prior samples as fakes (one D update per step).

    ``rec`` is the mean squared difference of D's features of x and of its reconstruction.
    """

    def __init__(
        self,
        loss: Any,
        regularizers: Sequence[Any] = (),
        kl_weight: float = 1.0,
        rec_weight: float = 1.0,
    ):
        super().__init__(loss, regularizers)
        self.kl_weight = kl_weight
        self.rec_weight = rec_weight

    def parameter_groups(self, model: GANModel) -> dict[str, list[nn.Parameter]]:
        return {
            "g": _trainable([model.generator]),
            "d": _trainable([model.discriminator]),
            "e": _trainable([model.encoders["latent"]]),
        }

    def step(
        self, model: GANModel, batches: Iterator[Batch], optimizers: Optimizers, *, n_dis: int = 1
    ) -> dict[str, float]:
        G, D, E = model.generator, model.discriminator, model.encoders["latent"]
        real = next(batches).images.to(model.device)
        mu, logvar = E(real).vector.chunk(2, dim=1)  # [B, z_dim] each
        z_enc = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        recon = G(z_enc)
        prior = G(torch.randn_like(mu))

        fakes = torch.cat([recon.detach(), prior.detach()])
        d_loss = self.loss.d_loss(D(self._augment(real)), D(self._augment(fakes)))
        for reg in self.regularizers:
            penalty = reg.d_penalty(D, real, prior.detach(), None)
            if penalty is not None:
                d_loss = d_loss + penalty
        _update(optimizers["d"], d_loss)

        with frozen(D):
            _, f_real = D(real, return_features=True)
            _, f_recon = D(recon, return_features=True)
            rec = F.mse_loss(f_recon, f_real.detach())
            kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).mean()
            adv = self.loss.g_loss(D(self._augment(torch.cat([recon, prior]))))
            e_loss = self.kl_weight * kl + rec
            g_loss = self.rec_weight * rec + adv
            e_params = optimizers["e"].param_groups[0]["params"]
            g_params = optimizers["g"].param_groups[0]["params"]
            e_grads = torch.autograd.grad(e_loss, e_params, retain_graph=True)
            g_grads = torch.autograd.grad(g_loss, g_params)
        for name, params, grads in (("e", e_params, e_grads), ("g", g_params, g_grads)):
            for p, g in zip(params, grads, strict=True):
                p.grad = g
            optimizers[name].step()
        return {
            "d_loss": d_loss.item(),
            "g_loss": g_loss.item(),
            "kl": kl.item(),
            "rec": rec.item(),
        }
