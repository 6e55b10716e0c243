"""Your own images: ``imagefolder:PATH`` (class subfolders optional) and ``captions:PATH``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from zoo.errors import ZooError

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tif", ".tiff"}


def _load(path: Path) -> torch.Tensor:
    with Image.open(path) as img:
        array = np.asarray(img.convert("RGB"))
    return torch.from_numpy(array.copy()).permute(2, 0, 1)  # uint8 [3, H, W]


class ImageFolder(torch.utils.data.Dataset):
    """Every image under ``path``; with class subfolders, their sorted names are the classes."""

    channels = 3
    captions = False

    def __init__(self, path: str):
        root = Path(path).expanduser()
        if not root.is_dir():
            raise ZooError(f"imagefolder: {root} is not a directory")
        self.files = sorted(p for p in root.rglob("*") if p.suffix.lower() in EXTENSIONS)
        if not self.files:
            raise ZooError(f"imagefolder: no images ({', '.join(sorted(EXTENSIONS))}) under {root}")
        subdirs = sorted(
            {p.parent.relative_to(root).parts[0] for p in self.files if p.parent != root}
        )
        loose = any(p.parent == root for p in self.files)
        self.class_names = subdirs if subdirs and not loose else []
        self.num_classes = len(self.class_names) or None
        self.labels = [
            self.class_names.index(p.relative_to(root).parts[0]) if self.num_classes else -1
            for p in self.files
        ]

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> dict:
        item = {"image": _load(self.files[i])}
        if self.num_classes:
            item["label"] = self.labels[i]
        return item


class CaptionFolder(torch.utils.data.Dataset):
    """Images with captions: ``captions.jsonl`` in the folder, one ``{file, caption}`` a line."""

    channels = 3
    captions = True
    num_classes = None

    def __init__(self, path: str):
        root = Path(path).expanduser()
        index = root / "captions.jsonl"
        if not index.is_file():
            raise ZooError(f"captions: {index} not found (one JSON object per line: file, caption)")
        self.items: list[tuple[Path, str]] = []
        for n, line in enumerate(index.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                file, caption = root / row["file"], str(row["caption"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ZooError(
                    f'captions: {index}:{n}: expected {{"file": ..., "caption": ...}} ({exc})'
                ) from exc
            if not file.is_file():
                raise ZooError(f"captions: {index}:{n}: {file} does not exist")
            self.items.append((file, caption))
        if not self.items:
            raise ZooError(f"captions: {index} lists no images")

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> dict:
        file, caption = self.items[i]
        return {"image": _load(file), "caption": caption}
