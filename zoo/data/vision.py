"""MNIST and CIFAR-10 through torchvision, with an offline path for a bare MNIST split."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import torch

from zoo.errors import NotAvailableError


def default_root() -> Path:
    """Where downloads go: ``$ZOO_DATA``, else ``~/.cache/zoo/data``."""
    return Path(os.environ.get("ZOO_DATA", Path.home() / ".cache" / "zoo" / "data")).expanduser()


def _read_idx(path: Path) -> np.ndarray:
    """An IDX file (MNIST's format), plain or gzipped: big-endian header, then uint8 data."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class _Tensors(torch.utils.data.Dataset):
    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        num_classes: int,
        split: str,
        class_names: list[str],
    ):
        self.images, self.labels = images, labels  # uint8 [N, C, H, W], int64 [N]
        self.num_classes, self.split, self.class_names = num_classes, split, class_names
        self.channels = images.shape[1]

    captions = False

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict:
        return {"image": self.images[i], "label": int(self.labels[i])}


def _find_idx(root: Path, stem: str) -> Path | None:
    for folder in (root, root / "MNIST" / "raw"):
        for name in (stem, stem + ".gz"):
            if (folder / name).is_file():
                return folder / name
    return None


def mnist(root: str | None = None) -> _Tensors:
    """MNIST from ``root``: the train split when present there, else the test split.

    ``root`` may be a torchvision root (``MNIST/raw/``) or a folder holding the IDX files
    (``t10k-images-idx3-ubyte[.gz]`` ...). Without a root, torchvision downloads to
    :func:`default_root` when the network allows.
    """
    base = Path(root).expanduser() if root else default_root()
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = _find_idx(base, f"{prefix}-images-idx3-ubyte")
        labels = _find_idx(base, f"{prefix}-labels-idx1-ubyte")
        if images and labels:
            x = torch.from_numpy(_read_idx(images).copy())[:, None]  # [N, 1, 28, 28]
            y = torch.from_numpy(_read_idx(labels).astype(np.int64))
            return _Tensors(x, y, 10, split, [str(i) for i in range(10)])
    if root:
        raise NotAvailableError(
            f"no MNIST IDX files in {base} (expected train-* or t10k-*-ubyte[.gz])"
        )
    import torchvision

    try:
        ds = torchvision.datasets.MNIST(str(base), train=True, download=True)
    except Exception as exc:  # torchvision raises plain RuntimeError/URLError offline
        raise NotAvailableError(
            f"MNIST is not in {base} and could not be downloaded ({exc}); "
            "pass a folder with the IDX files: --data mnist:PATH"
        ) from exc
    return _Tensors(ds.data[:, None], ds.targets, 10, "train", [str(i) for i in range(10)])


def cifar10(root: str | None = None) -> _Tensors:
    """CIFAR-10 train split from a torchvision root (downloaded there when the network allows)."""
    import torchvision

    base = Path(root).expanduser() if root else default_root()
    try:
        ds = torchvision.datasets.CIFAR10(str(base), train=True, download=root is None)
    except Exception as exc:
        raise NotAvailableError(
            f"CIFAR-10 is not in {base} and could not be downloaded ({exc}); "
            "pass a torchvision root holding cifar-10-batches-py: --data cifar10:PATH"
        ) from exc
    images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()  # [N, 3, 32, 32]
    return _Tensors(images, torch.tensor(ds.targets), 10, "train", list(ds.classes))
