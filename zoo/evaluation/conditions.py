"""Does a conditional model obey its condition? Judged by the domain classifier.

- class-conditional: the fraction of generated images the classifier puts in the requested
  class (``class_accuracy``);
- text-conditional (``shapes`` captions): the fraction of described attributes (shape,
  colour, size, count, position) the classifier sees in the image (``attribute_accuracy``).
"""

from __future__ import annotations

import re

import torch

from zoo.data.shapes import COLORS, COUNTS, POSITIONS, SHAPES, SIZES

ATTRIBUTES = ("shape", "color", "size", "count", "position")
_CAPTION = re.compile(
    r"^(?P<count>a|two|three) (?P<size>\w+) (?P<color>\w+) (?P<shape>\w+?)s? "
    r"(?:in the |on the |at the )(?P<position>\w+)$"
)


def parse_caption(caption: str) -> dict[str, int] | None:
    """A ``shapes`` caption -> class indices per attribute (None for another kind of text)."""
    m = _CAPTION.match(caption.strip())
    if m is None:
        return None
    try:
        return {
            "shape": SHAPES.index(m["shape"]),
            "color": list(COLORS).index(m["color"]),
            "size": list(SIZES).index(m["size"]),
            "count": 0 if m["count"] == "a" else COUNTS.index(m["count"]),
            "position": POSITIONS.index(m["position"]),
        }
    except ValueError:
        return None


@torch.no_grad()
def _logits(classifier_name: str, images: torch.Tensor) -> dict[str, torch.Tensor]:
    from zoo.evaluation.classifiers import prepare
    from zoo.evaluation.extractors import load_classifier

    net = load_classifier(classifier_name)
    channels = 1 if classifier_name == "lenet-mnist" else 3
    outs: dict[str, list[torch.Tensor]] = {}
    for i in range(0, len(images), 256):
        _, logits = net(prepare(images[i : i + 256], net.input_size, channels))
        for k, v in logits.items():
            outs.setdefault(k, []).append(v)
    return {k: torch.cat(v) for k, v in outs.items()}


def class_accuracy(classifier_name: str, images: torch.Tensor, labels: list[int]) -> float:
    """Fraction of uint8 images the classifier assigns to the requested label."""
    predicted = _logits(classifier_name, images)["label"].argmax(1)
    return float((predicted == torch.tensor(labels)).float().mean())


def attribute_accuracy(classifier_name: str, images: torch.Tensor, texts: list[str]) -> float:
    """Fraction of described attributes that the classifier sees (captions it cannot parse
    are an error: the metric is defined for ``shapes`` captions)."""
    wanted = [parse_caption(t) for t in texts]
    if any(w is None for w in wanted):
        bad = next(t for t, w in zip(texts, wanted, strict=True) if w is None)
        raise ValueError(f"cannot read the attributes of caption {bad!r}")
    logits = _logits(classifier_name, images)
    hits = 0
    for attr in ATTRIBUTES:
        target = torch.tensor([w[attr] for w in wanted])
        hits += int((logits[attr].argmax(1) == target).sum())
    return hits / (len(texts) * len(ATTRIBUTES))
