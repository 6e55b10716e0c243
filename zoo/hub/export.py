"""``save_pretrained``: a model as a directory that rebuilds without the original YAML.

Layout (also a Hub repo's)::

    config.json                  {"library": "zoo", "format_version": 1, "zoo_version",
                                  "architecture": <fully resolved>, "components": {slot:
                                  {"use", "distribution", "version"}}, "files": {name:
                                  sha256}, "training": {...}, "metrics": [...]}
    generator.safetensors        + ema_generator / discriminator / encoders (see zoo.weights)
    README.md                    model card (YAML metadata + summary)
    samples.png                  a sample grid (seed 0)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from zoo.errors import ZooError
from zoo.hub.card import model_card
from zoo.weights import OPTIONAL, REQUIRED, write_weights

FORMAT_VERSION = 1
GRID = "samples.png"
#: Every file ``save_pretrained`` may write; nothing else ever goes to a repo.
OUTPUTS = ("config.json", "README.md", GRID, *REQUIRED, *OPTIONAL)
#: The only kinds of file a zoo repo holds.
ALLOWED_SUFFIXES = (".safetensors", ".json", ".md", ".png")


def _components(arch: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from zoo.hub.load import component_slots
    from zoo.registry import get_registry

    registry = get_registry()
    pairs = component_slots(arch)
    out = {}
    for where, kind, slot in pairs:
        origin = registry.component(kind, slot["use"]).origin
        out[where] = {
            "use": slot["use"],
            "distribution": origin.distribution,
            "version": origin.version,
        }
    return out


def _grid_conditions(arch: dict[str, Any], n: int) -> dict[str, Any]:
    if arch["condition"] == "class":
        return {"labels": [i % arch["num_classes"] for i in range(n)]}
    if arch["condition"] == "text":
        from zoo.data.shapes import attributes

        return {"texts": [attributes(0, i).caption for i in range(n)]}
    return {}


def _nrow(arch: dict[str, Any]) -> int:
    if arch["condition"] == "class" and arch["num_classes"] <= 16:
        return arch["num_classes"]
    return 8


def save_pretrained(
    model: Any,
    directory: str | Path,
    *,
    metrics: list[dict[str, Any]] | None = None,
    license: str | None = None,
    repo_id: str | None = None,
    grid: bool = True,
) -> Path:
    """Write ``model`` as a zoo model directory (see the module docstring).

    Args:
        model: a :class:`zoo.model.GANModel`.
        directory: created if missing; an existing one may only hold a previous save.
        metrics: measured results to put in config.json and the card's ``model-index``
            (dicts with ``metric``, ``value``, ``extractor``, ``dataset``, ``protocol``,
            ``protocol_hash``; the results store gives them in this form).
        license: SPDX-style license id for the card (e.g. ``"mit"``).
        repo_id: the Hub repo the card should name in its usage example.
        grid: write ``samples.png`` (64 samples, seed 0).

    Returns:
        The directory.
    """
    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    foreign = sorted(p.name for p in directory.iterdir() if p.name not in OUTPUTS)
    if foreign:
        raise ZooError(
            f"{directory} holds files that save_pretrained did not write "
            f"({', '.join(foreign[:5])}); save into an empty or new directory"
        )
    for name in OUTPUTS:  # a previous save's files: none may survive into this one
        (directory / name).unlink(missing_ok=True)
    arch = model.config
    provenance = getattr(model, "provenance", None) or {}
    training = dict(provenance.get("training") or {})
    if provenance.get("step") is not None:
        training["step"] = provenance["step"]
    files = write_weights(directory, model, model.ema_generator)
    doc: dict[str, Any] = {
        "library": "zoo",
        "format_version": FORMAT_VERSION,
        "zoo_version": _zoo_version(),
        "architecture": arch,
        "components": _components(arch),
        "files": files,
    }
    if training:
        doc["training"] = training
    if metrics:
        doc["metrics"] = metrics
    if grid:
        from zoo.training.report import save_grid

        images = model.sample(64, seed=0, **_grid_conditions(arch, 64)).cpu()
        save_grid(images, directory / GRID, nrow=_nrow(arch))
    card = model_card(doc, repo_id=repo_id, license=license, grid=GRID if grid else None)
    _write_text(directory / "README.md", card)
    _write_text(directory / "config.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")
    return directory


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def _zoo_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zoo")
    except PackageNotFoundError:
        return "unknown"
