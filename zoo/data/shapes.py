"""``shapes``: procedurally rendered images of 1-3 objects with a class and an English caption.

Every image is a pure function of ``(seed, index)``: the same index always gives the same
picture, at any resolution. The attributes behind it are kept, so metrics can check
whether a generated image obeys its condition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw

SHAPES = ("square", "circle", "triangle")
COLORS = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (50, 90, 230),
    "yellow": (235, 205, 40),
}
SIZES = {"small": 0.16, "big": 0.28}  # object side as a fraction of the image
POSITIONS = ("top", "bottom", "left", "right", "center")
COUNTS = ("one", "two", "three")
BACKGROUND = (30, 30, 36)
SUPERSAMPLE = 4


@dataclass(frozen=True)
class Attributes:
    """What an image shows; ``label`` = shape x color (12 classes)."""

    shape: str
    color: str
    size: str
    count: int
    position: str

    @property
    def label(self) -> int:
        return SHAPES.index(self.shape) * len(COLORS) + list(COLORS).index(self.color)

    @property
    def caption(self) -> str:
        where = {"center": "in the center", "left": "on the left", "right": "on the right"}.get(
            self.position, f"at the {self.position}"
        )
        count = "a" if self.count == 1 else COUNTS[self.count - 1]
        plural = "s" if self.count > 1 else ""
        return f"{count} {self.size} {self.color} {self.shape}{plural} {where}"


def class_name(label: int) -> str:
    shape, color = SHAPES[label // len(COLORS)], list(COLORS)[label % len(COLORS)]
    return f"{color} {shape}"


def attributes(seed: int, index: int) -> Attributes:
    rng = np.random.default_rng([seed, index])
    return Attributes(
        shape=SHAPES[rng.integers(len(SHAPES))],
        color=list(COLORS)[rng.integers(len(COLORS))],
        size=list(SIZES)[rng.integers(len(SIZES))],
        count=int(rng.integers(1, 4)),
        position=POSITIONS[rng.integers(len(POSITIONS))],
    )


def _centres(attrs: Attributes, side: float) -> list[tuple[float, float]]:
    """Object centres in [0, 1]^2: spread along the region named by the position."""
    n = attrs.count
    anchor = {
        "top": (0.5, 0.22),
        "bottom": (0.5, 0.78),
        "left": (0.22, 0.5),
        "right": (0.78, 0.5),
        "center": (0.5, 0.5),
    }[attrs.position]
    along_x = attrs.position in ("top", "bottom", "center")
    gap = side * 1.25
    offsets = [(i - (n - 1) / 2) * gap for i in range(n)]
    return [(anchor[0] + o, anchor[1]) if along_x else (anchor[0], anchor[1] + o) for o in offsets]


def render(attrs: Attributes, resolution: int) -> Image.Image:
    """Draw ``attrs`` as an RGB image (anti-aliased by supersampling)."""
    big = resolution * SUPERSAMPLE
    img = Image.new("RGB", (big, big), BACKGROUND)
    draw = ImageDraw.Draw(img)
    side = SIZES[attrs.size] if attrs.count == 1 else SIZES[attrs.size] * 0.8
    color = COLORS[attrs.color]
    for cx, cy in _centres(attrs, side):
        x0, y0 = (cx - side / 2) * big, (cy - side / 2) * big
        x1, y1 = (cx + side / 2) * big, (cy + side / 2) * big
        if attrs.shape == "square":
            draw.rectangle([x0, y0, x1, y1], fill=color)
        elif attrs.shape == "circle":
            draw.ellipse([x0, y0, x1, y1], fill=color)
        else:
            draw.polygon([(cx * big, y0), (x1, y1), (x0, y1)], fill=color)
    return img.resize((resolution, resolution), Image.Resampling.LANCZOS)


class ShapesDataset(torch.utils.data.Dataset):
    """``size`` images; item ``i`` holds ``image`` (uint8 [3, R, R]), label, caption, attributes.

    Args:
        size: number of images (indices ``offset .. offset + size - 1``).
        seed: which universe of images; two seeds share no pictures.
        resolution: rendered side length (drawn at that size, not resized later).
        offset: first index; ``offset=10**6`` gives images no training run has seen.
    """

    num_classes = len(SHAPES) * len(COLORS)
    channels = 3
    captions = True

    def __init__(self, size: int = 50_000, seed: int = 0, resolution: int = 64, offset: int = 0):
        self.size, self.seed, self.resolution, self.offset = size, seed, resolution, offset
        self.class_names = [class_name(i) for i in range(self.num_classes)]

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> dict:
        if not 0 <= i < self.size:
            raise IndexError(i)
        attrs = attributes(self.seed, self.offset + i)
        array = np.asarray(render(attrs, self.resolution))
        return {
            "image": torch.from_numpy(array.copy()).permute(2, 0, 1),
            "label": attrs.label,
            "caption": attrs.caption,
            "attributes": asdict(attrs),
        }
