"""Datasets are components (kind ``dataset``), addressed as ``NAME[:ARG]``.

``ARG`` sets the dataset's first parameter (``shapes:2000`` -> 2000 images,
``mnist:PATH`` -> a root folder). A dataset yields dicts with ``image`` (uint8
``[C, H, W]``, 0..255), and ``label`` (int) and/or ``caption`` (str); it has
``num_classes`` (None without labels), ``captions`` (bool) and ``channels``.
:func:`open_dataset` fits the images to an architecture: resized on the shorter side,
centre-cropped, channels converted, scaled to ``[-1, 1]``.
"""

from __future__ import annotations

from typing import Any

import torch
from torchvision.transforms.v2 import functional as TF

from zoo.errors import ZooError


def parse_spec(spec: str) -> tuple[str, str | None]:
    name, sep, arg = spec.partition(":")
    return name, (arg if sep else None)


def fit_image(image: torch.Tensor, resolution: int, channels: int) -> torch.Tensor:
    """``uint8 [C, H, W] -> float [channels, resolution, resolution]`` in [-1, 1]."""
    c = image.shape[0]
    if c == 4:
        image, c = image[:3], 3
    if c == 1 and channels == 3:
        image = image.expand(3, -1, -1)
    elif c == 3 and channels == 1:
        image = TF.rgb_to_grayscale(image)
    elif c != channels:
        raise ZooError(
            f"cannot turn {c}-channel images into the {channels} channels the model wants"
        )
    if image.shape[-2:] != (resolution, resolution):
        image = TF.center_crop(TF.resize(image, resolution, antialias=True), resolution)
    return image.float() / 127.5 - 1.0


class Prepared(torch.utils.data.Dataset):
    """A dataset fitted to an architecture's resolution and channels."""

    def __init__(self, dataset: Any, resolution: int, channels: int, name: str):
        self.dataset, self.resolution, self.channels, self.name = (
            dataset,
            resolution,
            channels,
            name,
        )
        self.num_classes = getattr(dataset, "num_classes", None)
        self.captions = bool(getattr(dataset, "captions", False))
        self.class_names = list(getattr(dataset, "class_names", []) or [])

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i: int) -> dict:
        item = self.dataset[i]
        out = {"image": fit_image(item["image"], self.resolution, self.channels)}
        if "label" in item:
            out["label"] = item["label"]
        if "caption" in item:
            out["caption"] = item["caption"]
        return out


def collate(items: list[dict]):
    """Dicts -> :class:`~zoo.components.objectives.Batch`."""
    from zoo.components.objectives import Batch

    images = torch.stack([it["image"] for it in items])
    labels = (
        torch.tensor([it["label"] for it in items]) if all("label" in it for it in items) else None
    )
    texts = [it["caption"] for it in items] if all("caption" in it for it in items) else None
    return Batch(images, labels=labels, texts=texts)


def open_dataset(spec: str, resolution: int, channels: int) -> Prepared:
    """Build the dataset ``NAME[:ARG]`` and fit it to ``resolution`` and ``channels``.

    Raises:
        UnknownNameError: no such dataset (closest names suggested).
        ValidationError: ARG does not fit the dataset's first parameter.
        NotAvailableError: the data is neither on disk nor downloadable.
    """
    import yaml

    from zoo.factory import load_target
    from zoo.registry import get_registry
    from zoo.registry.validate import check_params

    name, arg = parse_spec(spec)
    component = get_registry().component("dataset", name)
    given: dict[str, Any] = {}
    if arg is not None:
        if not component.params:
            raise ZooError(f"dataset {name!r} takes no argument (got {arg!r})")
        first, param = next(iter(component.params.items()))
        given[first] = arg if param.type in (str, str | None) else yaml.safe_load(arg)
    if "resolution" in component.params:
        given["resolution"] = resolution
    params = check_params(component, given, f"--data {spec}")
    return Prepared(load_target(component)(**params), resolution, channels, spec)
