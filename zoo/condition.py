"""The condition every generator, discriminator and encoder exchanges."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import torch


@dataclass
class Condition:
    """What a model is conditioned on, already encoded.

    Attributes:
        vector: ``[B, d]`` global condition (one-hot class, pooled text, image code).
        tokens: ``[B, T, d_tok]`` token features for cross-attention, or None.
        mask: ``[B, T]`` bool, True for real tokens (padding is False), or None.
        labels: ``[B]`` int64 class indices when the condition is a class, or None.
    """

    vector: torch.Tensor
    tokens: torch.Tensor | None = None
    mask: torch.Tensor | None = None
    labels: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.vector.shape[0]

    def _map(self, fn) -> Condition:
        return replace(
            self,
            **{f.name: fn(v) for f in fields(self) if (v := getattr(self, f.name)) is not None},
        )

    def to(self, device: torch.device | str) -> Condition:
        return self._map(lambda t: t.to(device))

    def detach(self) -> Condition:
        return self._map(lambda t: t.detach())

    def __getitem__(self, index) -> Condition:
        """Select rows, e.g. ``cond[perm]`` to pair images with mismatched conditions."""
        return self._map(lambda t: t[index])
