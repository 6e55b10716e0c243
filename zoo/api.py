"""Listing and inspection: answered from the registry alone, without importing torch."""

from __future__ import annotations

from typing import Any

from zoo.registry import get_registry
from zoo.registry.spec import ComponentSpec


def list_models(pattern: str | None = None, pretrained: bool = False) -> list[str]:
    """Architecture names matching an fnmatch ``pattern``, sorted.

    With ``pretrained=True``, the ``ARCH.TAG`` names of pretrained weights instead.

    Example:
        >>> zoo.list_models("dcgan-*")
        ['dcgan-32', 'dcgan-64']
    """
    return get_registry().list_models(pattern, pretrained=pretrained)


def list_components(kind: str | None = None) -> list[ComponentSpec]:
    """Registered components (all, or of one ``kind``), sorted by kind then name."""
    return get_registry().list_components(kind)


def _count_parameters(config: dict[str, Any]) -> dict[str, int]:
    from zoo.factory import build

    model = build(config)  # on the CPU: pretrained encoders must load their real weights
    counts = {
        "generator": sum(p.numel() for p in model.generator.parameters()),
        "discriminator": sum(p.numel() for p in model.discriminator.parameters()),
        "encoders": sum(p.numel() for p in model.encoders.parameters()),
    }
    counts["total"] = sum(counts.values())
    return counts


def info(name: str, params: bool = False) -> dict[str, Any]:
    """Everything known about an architecture, as plain data.

    Args:
        name: ``ARCH`` or ``ARCH.TAG``.
        params: also build the networks (on the CPU) and count their parameters.
            This imports torch and loads any pretrained encoder.

    Returns:
        A dict with ``name``, ``summary``, ``resolution``, ``channels``, ``z_dim``,
        ``condition``, ``num_classes``, ``composition`` (slot -> component, parameters
        and origin), ``train``, ``origin``, ``source``, ``tags`` and ``parameters``
        (None unless ``params``).
    """
    from zoo.factory import parse_name

    arch, _ = parse_name(name)
    registry = get_registry()
    config = registry.resolve(arch)
    entry = registry.entry(arch)

    def describe(kind: str, slot: dict[str, Any]) -> dict[str, Any]:
        spec = registry.component(kind, slot["use"])
        return {"kind": kind, "use": slot["use"], "with": slot["with"], "origin": str(spec.origin)}

    composition = {
        "generator": describe("generator", config["generator"]),
        "discriminator": describe("discriminator", config["discriminator"]),
        **{f"encoders.{k}": describe("encoder", s) for k, s in config["encoders"].items()},
        "objective": describe("objective", config["objective"]),
        "loss": describe("loss", config["loss"]),
        **{
            f"regularizers.{i}": describe("regularizer", s)
            for i, s in enumerate(config["regularizers"])
        },
    }
    line = entry.doc.line(("architectures", arch))
    return {
        "name": arch,
        "summary": config["summary"],
        "resolution": config["resolution"],
        "channels": config["channels"],
        "z_dim": config["z_dim"],
        "condition": config["condition"],
        "num_classes": config["num_classes"],
        "composition": composition,
        "train": config["train"],
        "origin": str(entry.origin),
        "source": entry.doc.source if line is None else f"{entry.doc.source}:{line}",
        "tags": sorted(config["pretrained"]),
        "pretrained": config["pretrained"],
        "parameters": _count_parameters(config) if params else None,
    }
