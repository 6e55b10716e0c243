"""Condition encoders: turn labels (or texts, images) into a :class:`~zoo.condition.Condition`."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from zoo.condition import Condition
from zoo.errors import ConditionError


class OneHotEncoder(nn.Module):
    """Class labels -> one-hot vectors.

    ``labels [B] int64 -> Condition(vector [B, num_classes], labels [B])``. No parameters:
    each generator and discriminator learns its own use of the class.
    """

    def __init__(self, num_classes: int):
        super().__init__()
        self.num_classes = num_classes
        self.register_buffer("_device_probe", torch.empty(0), persistent=False)

    def forward(self, labels: torch.Tensor | Sequence[int]) -> Condition:
        labels = torch.as_tensor(labels, dtype=torch.long, device=self._device_probe.device)
        if labels.ndim != 1:
            raise ConditionError(
                f"labels must be a 1-D sequence of class indices, got shape {tuple(labels.shape)}"
            )
        if labels.numel() and (labels.min() < 0 or labels.max() >= self.num_classes):
            bad = labels[(labels < 0) | (labels >= self.num_classes)][0].item()
            raise ConditionError(
                f"label {bad} is out of range: this model has {self.num_classes} classes "
                f"(0..{self.num_classes - 1})"
            )
        return Condition(vector=F.one_hot(labels, self.num_classes).float(), labels=labels)
