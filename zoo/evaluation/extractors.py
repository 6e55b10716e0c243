"""Feature extractors for torch-fidelity: InceptionV3 (torch-fidelity's own) and the domain
classifiers ``classifier-shapes`` and ``lenet-mnist`` shipped with zoo.

The domain extractors are registered with torch-fidelity under their names, so FID, IS, KID
and precision/recall run through torch-fidelity's own metric code with them. Their weights
live in ``zoo/evaluation/weights/`` as safetensors and are checked against the sha256 below
before loading. Scores from them are "Fréchet <classifier> distance" style: labelled with
the extractor's name and never ranked with Inception scores.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from zoo.errors import NotAvailableError, ZooError

WEIGHTS_DIR = Path(__file__).with_name("weights")
INCEPTION = "inception-v3-compat"  # torch-fidelity's name for its InceptionV3
INCEPTION_FILE = "weights-inception-2015-12-05-6726825d.pth"
INCEPTION_ENV = "ZOO_INCEPTION_WEIGHTS"


@dataclass(frozen=True)
class Domain:
    """A domain extractor: its network, its weights' sha256 and the data it knows."""

    name: str
    net: str  # attribute of zoo.evaluation.classifiers
    sha256: str
    datasets: tuple[str, ...]
    summary: str

    @property
    def path(self) -> Path:
        return WEIGHTS_DIR / f"{self.name}.safetensors"


DOMAINS = {
    d.name: d
    for d in (
        Domain(
            "classifier-shapes",
            "ShapesNet",
            "a94af92ec32de80302b2629aff2fdbc04c497a1ab7d5c28402ad84d21b939671",
            ("shapes",),
            "CNN trained on rendered shapes: class, shape, colour, size, count, position heads",
        ),
        Domain(
            "lenet-mnist",
            "LeNet",
            "71bb1338ce6047e11f6190c3d062d6fa5f70d910c94ed3d2deafd20e16d160b4",
            ("mnist",),
            "LeNet-5 trained on MNIST digits",
        ),
    )
}


def domain_for(dataset: str) -> Domain | None:
    """The domain extractor for a dataset spec (``shapes:5000`` -> classifier-shapes)."""
    name = dataset.partition(":")[0]
    return next((d for d in DOMAINS.values() if name in d.datasets), None)


def load_classifier(name: str) -> torch.nn.Module:
    """The domain classifier ``name`` with its shipped, sha256-verified weights (eval mode)."""
    from safetensors.torch import load_file

    from zoo.evaluation import classifiers
    from zoo.weights import sha256_file

    domain = DOMAINS[name]
    if not domain.path.is_file():
        raise ZooError(f"{name}: weights {domain.path} are missing from the installation")
    got = sha256_file(domain.path)
    if got != domain.sha256:
        raise ZooError(
            f"{name}: weights {domain.path} have sha256 {got}, expected {domain.sha256}; "
            "reinstall zoo (or retrain with benchmarks/train_extractors.py and update it)"
        )
    net = getattr(classifiers, domain.net)()
    net.load_state_dict(load_file(str(domain.path)))
    return net.eval().requires_grad_(False)


def weights_sha256(extractor: str, inception_weights: str | None = None) -> str:
    """sha256 of the weights an extractor will use (part of every result's protocol)."""
    from zoo.weights import sha256_file

    if extractor in DOMAINS:
        return DOMAINS[extractor].sha256
    path = inception_path(inception_weights)
    return sha256_file(path) if path else "torch-fidelity-download"


def inception_path(explicit: str | None = None) -> str | None:
    """The local InceptionV3 weights: ``--inception-weights``, ``$ZOO_INCEPTION_WEIGHTS``, or
    torch-fidelity's own download in the torch hub cache; None when none is on disk."""
    for candidate in (explicit, os.environ.get(INCEPTION_ENV)):
        if candidate:
            if not Path(candidate).expanduser().is_file():
                raise ZooError(f"InceptionV3 weights {candidate} do not exist")
            return str(Path(candidate).expanduser())
    cached = Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_FILE
    return str(cached) if cached.is_file() else None


def offline() -> bool:
    """``ZOO_OFFLINE=1`` or ``HF_HUB_OFFLINE=1``: never try to download anything."""
    return any(
        os.environ.get(k, "").lower() in ("1", "true", "yes")
        for k in ("ZOO_OFFLINE", "HF_HUB_OFFLINE")
    )


def inception_missing_error() -> NotAvailableError:
    return NotAvailableError(
        f"InceptionV3 weights ({INCEPTION_FILE}) are not on this machine and cannot be "
        f"downloaded: pass --inception-weights PATH (or set {INCEPTION_ENV}), or use a domain "
        "extractor: --feature-extractor classifier-shapes (shapes) or lenet-mnist (MNIST)"
    )


def require_inception(explicit: str | None = None) -> str | None:
    """The local InceptionV3 weights, or None when torch-fidelity may download them; offline
    with no local copy, one clear error."""
    path = inception_path(explicit)
    if path is None and offline():
        raise inception_missing_error()
    return path


def _fidelity_extractor(domain: Domain) -> type:
    from torch_fidelity.feature_extractor_base import FeatureExtractorBase

    from zoo.evaluation.classifiers import prepare

    class DomainFeatureExtractor(FeatureExtractorBase):
        """torch-fidelity feature extractor around a zoo domain classifier."""

        def __init__(self, name: str, features_list: list[str], **kwargs: Any):
            super().__init__(name, features_list)
            self.net = load_classifier(domain.name)
            self.channels = 1 if domain.net == "LeNet" else 3

        @staticmethod
        def get_provided_features_list():
            return ("features", "logits_unbiased")

        @staticmethod
        def get_default_feature_layer_for_metric(metric: str) -> str:
            return {"isc": "logits_unbiased"}.get(metric, "features")

        @staticmethod
        def can_be_compiled() -> bool:
            return False

        @staticmethod
        def get_dummy_input_for_compile():
            return (torch.rand([1, 3, 32, 32]) * 255).to(torch.uint8)

        def forward(self, x: torch.Tensor):
            if x.dtype != torch.uint8 or x.dim() != 4 or x.shape[1] != 3:
                raise ValueError(f"expected uint8 [B, 3, H, W], got {x.dtype} {list(x.shape)}")
            features, logits = self.net(prepare(x, self.net.input_size, self.channels))
            out = {"features": features, "logits_unbiased": logits["label"]}
            return tuple(out[name].float() for name in self.features_list)

    DomainFeatureExtractor.__name__ = f"DomainFeatureExtractor[{domain.name}]"
    return DomainFeatureExtractor


def register_with_fidelity() -> None:
    """Register the domain extractors with torch-fidelity (once per process)."""
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY, register_feature_extractor

    for domain in DOMAINS.values():
        if domain.name not in FEATURE_EXTRACTORS_REGISTRY:
            register_feature_extractor(domain.name, _fidelity_extractor(domain))


def for_cpu_inference(net: torch.nn.Module) -> torch.nn.Module:
    """Rewrite torch-fidelity's InceptionV3 in place for inference on a CPU: the batch norm
    of every ``BasicConv2d`` (conv -> bn -> relu) folded into its convolution with PyTorch's
    ``fuse_conv_bn_eval``, and the weights in channels_last, so oneDNN convolves and pools in
    NHWC. Same weights, same forward code; the features agree with the unmodified network to
    float32 rounding (``tests/test_evaluation.py`` checks it). About 2x faster on a CPU."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval
    from torch_fidelity.feature_extractor_inceptionv3 import BasicConv2d

    net.eval()
    for block in net.modules():
        if isinstance(block, BasicConv2d) and isinstance(block.bn, torch.nn.BatchNorm2d):
            block.conv = fuse_conv_bn_eval(block.conv, block.bn)
            block.bn = torch.nn.Identity()
    return net.to(memory_format=torch.channels_last)


@contextlib.contextmanager
def cpu_inference(extractor: str, device: str) -> Iterator[None]:
    """While torch-fidelity runs on the CPU, it builds ``extractor`` (InceptionV3 only) through
    :func:`for_cpu_inference`. torch-fidelity builds extractors by name from its registry, so
    the entry is swapped for a subclass for the duration and then restored."""
    from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
    from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY as registry

    original = registry.get(extractor)
    if torch.device(device).type != "cpu" or original is not FeatureExtractorInceptionV3:
        yield
        return

    class InceptionV3ForCPU(FeatureExtractorInceptionV3):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            for_cpu_inference(self)

    registry[extractor] = InceptionV3ForCPU
    try:
        yield
    finally:
        registry[extractor] = original


def extractor_names() -> list[str]:
    return [INCEPTION, *DOMAINS]
