"""torch-fidelity fed in memory: a generator wrapper and a uint8 reference dataset.

Nothing goes through PNG files. Images are quantized exactly as a saved PNG would be,
``(x * 127.5 + 128).clamp(0, 255).to(uint8)``, and grayscale is expanded to 3 channels.
On a CPU, InceptionV3 runs with its batch norms folded and in channels_last
(:func:`zoo.evaluation.extractors.cpu_inference`): the same features to float32 rounding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

QUANTIZATION = "(x*127.5+128).clamp(0,255).to(uint8), grayscale expanded to 3 channels"


def quantize(x: torch.Tensor) -> torch.Tensor:
    """float images in [-1, 1] -> uint8 ``[B, 3, H, W]``."""
    x = (x * 127.5 + 128).clamp(0, 255).to(torch.uint8)
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x


class ConditionSampler:
    """Draws the conditions generated samples are asked for, reproducibly from a seed.

    Class models: labels uniform over the classes. Text models: captions of reference items
    drawn uniformly. Unconditional models: nothing.
    """

    def __init__(self, model: Any, captions: list[str] | None, seed: int):
        self.kind = model.condition
        self.num_classes = model.config.get("num_classes")
        self.captions = captions
        self.gen = torch.Generator().manual_seed(seed)
        if self.kind == "text" and not captions:
            raise ValueError("a text-conditional model needs reference data with captions")

    def describe(self) -> str:
        if self.kind == "class":
            return f"labels uniform over {self.num_classes} classes"
        if self.kind == "text":
            return f"captions drawn uniformly from {len(self.captions)} reference items"
        return "none"

    def draw(self, n: int) -> dict[str, Any]:
        if self.kind == "class":
            return {"labels": torch.randint(self.num_classes, (n,), generator=self.gen).tolist()}
        if self.kind == "text":
            idx = torch.randint(len(self.captions), (n,), generator=self.gen).tolist()
            return {"texts": [self.captions[i] for i in idx]}
        return {}


def generator_input(model: Any, sampler: ConditionSampler, keep: int = 0):
    """A torch-fidelity ``GenerativeModelBase`` around ``model``: torch-fidelity draws z
    (normal, its own seeded RNG); the wrapper draws conditions itself (torch-fidelity's
    label path breaks on numpy >= 1.24) and reports ``num_classes = 0``. The first ``keep``
    images are kept (uint8, CPU) with their conditions for the condition metrics."""
    from torch_fidelity.generative_model_base import GenerativeModelBase

    class _Wrapped(GenerativeModelBase):
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.kept: list[torch.Tensor] = []
            self.kept_conditions: dict[str, list] = {}
            self.seen = 0

        @property
        def z_size(self) -> int:
            return model.z_dim

        @property
        def z_type(self) -> str:
            return "normal"

        @property
        def num_classes(self) -> int:
            return 0

        def forward(self, z: torch.Tensor) -> torch.Tensor:
            cond = sampler.draw(len(z))
            images = quantize(model.sample(len(z), z=z.float(), **cond))
            if self.seen < keep:
                take = min(keep - self.seen, len(z))
                self.kept.append(images[:take].cpu())
                for k, v in cond.items():
                    self.kept_conditions.setdefault(k, []).extend(v[:take])
            self.seen += len(z)
            return images

    return _Wrapped()


class ReferenceImages(torch.utils.data.Dataset):
    """The first ``n`` images of a prepared dataset as uint8 ``[3, H, W]`` tensors."""

    def __init__(self, prepared: Any, n: int):
        self.prepared, self.n = prepared, min(n, len(prepared))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> torch.Tensor:
        return quantize(self.prepared[i]["image"][None])[0]


def calculate(
    generated: Any,
    reference: torch.utils.data.Dataset | None,
    *,
    metrics: list[str],
    extractor: str,
    num_samples: int,
    seed: int,
    device: str,
    batch_size: int = 64,
    cache_root: Path | None = None,
    reference_cache_name: str | None = None,
    inception_weights: str | None = None,
    verbose: bool = False,
) -> dict[str, float]:
    """Run ``torch_fidelity.calculate_metrics``; returns its dict of numbers.

    ``metrics`` is a subset of ``fid, isc, kid, prc``. Every keyword is checked against
    torch-fidelity's own defaults first, because it ignores misspelt ones silently.
    """
    import torch_fidelity
    from torch_fidelity.defaults import DEFAULTS

    from zoo.evaluation.extractors import cpu_inference, register_with_fidelity

    register_with_fidelity()
    n_ref = len(reference) if reference is not None else 0
    kwargs: dict[str, Any] = {
        "input1": generated,
        "input1_model_num_samples": num_samples,
        "fid": "fid" in metrics,
        "isc": "isc" in metrics,
        "kid": "kid" in metrics,
        "prc": "prc" in metrics,
        "feature_extractor": extractor,
        "batch_size": batch_size,
        "cuda": device.startswith("cuda"),
        "rng_seed": seed,
        "save_cpu_ram": True,  # in-memory tensors: no worker processes
        "verbose": verbose,
        "cache": cache_root is not None and reference_cache_name is not None,
    }
    if reference is not None:
        kwargs["input2"] = reference
        kwargs["input2_cache_name"] = reference_cache_name
    if "kid" in metrics:
        kwargs["kid_subset_size"] = min(1000, num_samples, n_ref)
    if cache_root is not None:
        kwargs["cache_root"] = str(cache_root)
    if inception_weights is not None:
        kwargs["feature_extractor_weights_path"] = inception_weights
    unknown = set(kwargs) - set(DEFAULTS)
    if unknown:  # a typo here would be ignored by torch-fidelity
        raise AssertionError(f"not torch-fidelity arguments: {sorted(unknown)}")
    with cpu_inference(extractor, device):
        scores = torch_fidelity.calculate_metrics(**kwargs)
    return {k: float(v) for k, v in scores.items()}
