"""The model bundle returned by :func:`zoo.create`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from zoo.condition import Condition
from zoo.errors import ConditionError


def _broadcast(values: Any, n: int, what: str) -> Any:
    """One value -> n copies; n values -> as they are; anything else is an error."""
    if isinstance(values, torch.Tensor):
        values = values.tolist()
    if isinstance(values, int | str):
        return [values] * n
    count = len(values)
    if count == 1:
        return list(values) * n
    if count != n:
        raise ConditionError(
            f"got {count} {what} for n={n}: pass one (used for all) or exactly {n}"
        )
    return values


class GANModel(nn.Module):
    """A generator, a discriminator and their condition encoders, with the resolved config.

    Attributes:
        generator: ``(z [B, z_dim], Condition | None) -> image [B, C, H, W]`` in [-1, 1].
        discriminator: ``(image, Condition | None) -> logits [B]``.
        encoders: condition kind (``"class"``, ``"text"``, ``"image"``) -> encoder.
        ema_generator: exponential moving average of the generator, set by training;
            ``sample`` uses it when present. Its parameters never take gradients.
        config: the fully resolved architecture (plain data; rebuilds the model).
        provenance: where the weights came from (``{}`` for fresh weights; for loaded ones
            ``source`` ``"local-dir"`` or ``"hf-hub"``, path or repo and commit, each
            file's sha256, the training step and settings).
    """

    def __init__(
        self,
        config: dict[str, Any],
        generator: nn.Module,
        discriminator: nn.Module,
        encoders: dict[str, nn.Module],
    ):
        super().__init__()
        self.config = config
        self.generator = generator
        self.discriminator = discriminator
        self.encoders = nn.ModuleDict(encoders)
        self.ema_generator: nn.Module | None = None
        self.provenance: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self.config["name"]

    @property
    def condition(self) -> str:
        return self.config["condition"]

    @property
    def z_dim(self) -> int:
        return self.config["z_dim"]

    @property
    def device(self) -> torch.device:
        return next(self.generator.parameters()).device

    def encode(self, *, labels: Any = None, texts: Sequence[str] | None = None) -> Condition | None:
        """Encode the condition this model takes; None for an unconditional model.

        Raises:
            ConditionError: the inputs do not fit the model's condition.
        """
        kind = self.condition
        given = {k: v for k, v in (("labels", labels), ("texts", texts)) if v is not None}
        if kind == "none":
            if given:
                raise ConditionError(
                    f"{self.name} is unconditional: do not pass {' or '.join(given)}"
                )
            return None
        wanted = {"class": "labels", "text": "texts"}.get(kind)
        if wanted is None or set(given) - {wanted}:
            extra = ", ".join(sorted(set(given) - {wanted}))
            raise ConditionError(
                f"{self.name} is {kind}-conditional: pass {wanted}=..., not {extra}"
            )
        if wanted not in given:
            raise ConditionError(f"{self.name} is {kind}-conditional: pass {wanted}=...")
        return self.encoders[kind](given[wanted])

    def sample(
        self,
        n: int,
        *,
        labels: Any = None,
        texts: Sequence[str] | None = None,
        seed: int | None = None,
        z: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Generate ``n`` images ``[n, C, H, W]`` in [-1, 1] (eval mode, no gradients).

        Args:
            n: number of images.
            labels: class-conditional models: one label for all, or n labels; default
                uniformly random classes.
            texts: text-conditional models: one text for all, or n texts.
            seed: makes z and any random labels reproducible.
            z: the noise itself, ``[n, z_dim]`` (e.g. to interpolate); default drawn.

        Raises:
            ConditionError: labels out of range, texts for a class model, wrong count, ...

        Example:
            >>> model = zoo.create("cgan-mlp-28")
            >>> model.sample(10, labels=list(range(10)), seed=0).shape
            torch.Size([10, 1, 28, 28])
        """
        if not isinstance(n, int) or n < 1:
            raise ConditionError(f"n must be a positive integer, got {n!r}")
        rng = torch.Generator().manual_seed(seed) if seed is not None else None
        if z is None:
            z = torch.randn(n, self.z_dim, generator=rng)
        elif tuple(z.shape) != (n, self.z_dim):
            raise ConditionError(f"z must have shape [{n}, {self.z_dim}], got {list(z.shape)}")
        if self.condition == "class" and labels is None and texts is None:
            labels = torch.randint(self.config["num_classes"], (n,), generator=rng)
        if labels is not None:
            labels = _broadcast(labels, n, "labels")
        if texts is not None:
            texts = _broadcast(texts, n, "texts")
        cond = self.encode(labels=labels, texts=texts)
        generator = self.ema_generator if self.ema_generator is not None else self.generator
        was_training = generator.training
        generator.eval()
        try:
            with torch.no_grad():
                return generator(z.to(self.device), cond)
        finally:
            generator.train(was_training)

    def save_pretrained(self, directory: Any, **card: Any) -> Any:
        """Write the model as a directory that ``zoo.create("local-dir:DIR")`` rebuilds:
        config.json (the resolved architecture), one safetensors file per network, a model
        card (README.md) and a sample grid. See :func:`zoo.hub.save_pretrained`.
        """
        from zoo.hub import save_pretrained

        return save_pretrained(self, directory, **card)

    def push_to_hub(self, repo_id: str, **kwargs: Any) -> Any:
        """Push the model to a Hub model repo in one commit (``branch=``, ``private=``,
        ``token=``, ``commit_message=``, ``metrics=``, ``license=``); returns a
        :class:`zoo.hub.PushResult` with the commit id and the files' sha256."""
        from zoo.hub import push_to_hub

        return push_to_hub(self, repo_id, **kwargs)
