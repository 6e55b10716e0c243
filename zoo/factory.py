"""``create``: from a name (and overrides) to a built :class:`~zoo.model.GANModel`."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

from zoo.errors import UnknownNameError, ZooError, suggest
from zoo.registry import get_registry
from zoo.registry.spec import ComponentSpec

_NAME_RE = re.compile(r"^(?P<arch>[a-z0-9][a-z0-9_-]*)(?:\.(?P<tag>[a-z0-9][a-z0-9_.-]*))?$")
_PREFIXES = ("hf-hub:", "local-dir:")


def parse_name(name: str) -> tuple[str, str | None]:
    """Split ``"dcgan-32.mnist"`` into ``("dcgan-32", "mnist")``; no tag gives ``None``."""
    match = _NAME_RE.match(name) if isinstance(name, str) else None
    if match is None:
        raise UnknownNameError(
            f"invalid model name {name!r}: expected ARCH or ARCH.TAG (e.g. 'dcgan-32' or "
            "'dcgan-32.mnist'); `zoo list` shows the architectures"
        )
    return match["arch"], match["tag"]


def load_target(spec: ComponentSpec) -> Any:
    """Import the callable a component's ``target`` names."""
    module_name, _, attr = spec.target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ZooError(
            f"{spec.kind} {spec.name!r} from {spec.origin}: cannot import {spec.target} ({exc})"
        ) from exc
    return obj


def build_component(kind: str, slot: dict[str, Any], **extra: Any) -> Any:
    """Construct the component a resolved slot (``{"use": ..., "with": {...}}``) names."""
    spec = get_registry().component(kind, slot["use"])
    factory = load_target(spec)
    try:
        return factory(**slot["with"], **extra)
    except ValueError as exc:  # a constructor's own check on its arguments
        raise ZooError(f"{kind} {spec.name!r}: {exc}") from exc


def build(config: dict[str, Any]) -> Any:
    """Build a :class:`~zoo.model.GANModel` from a resolved config (see ``Registry.resolve``)."""
    from zoo.model import GANModel

    encoders = {k: build_component("encoder", s) for k, s in config["encoders"].items()}
    generator = build_component("generator", config["generator"])
    discriminator = build_component("discriminator", config["discriminator"])
    return GANModel(config, generator, discriminator, encoders)


def build_objective(config: dict[str, Any]) -> Any:
    """The training objective of a resolved config, with its loss and regularizers built in."""
    loss = build_component("loss", config["loss"])
    regularizers = [build_component("regularizer", r) for r in config["regularizers"]]
    return build_component("objective", config["objective"], loss=loss, regularizers=regularizers)


def create(name: str, pretrained: bool = False, **overrides: Any) -> Any:
    """Build a model by architecture name, with optional overrides.

    Args:
        name: ``ARCH`` or ``ARCH.TAG`` (``zoo.list_models()`` lists them);
            ``hf-hub:ORG/NAME[@REVISION]`` for a Hub repo; ``local-dir:DIR`` for a
            ``save_pretrained`` directory, a checkpoint or a run directory.
        pretrained: download and load the weights of the tag (or of the architecture's
            only tag), verified against the tag's sha256.
        **overrides: deep-merged into the architecture and validated exactly like
            YAML, e.g. ``z_dim=64`` or ``generator={"with": {"ch": 32}}``; a slot given
            another component (``encoders={"text": {"use": "text-small"}}``) is replaced whole.

    Returns:
        A :class:`zoo.model.GANModel` (an ``nn.Module``) on the CPU.

    Raises:
        UnknownNameError: unknown architecture or tag (closest names suggested).
        ValidationError: the overrides make the architecture invalid (every problem listed).
        ConflictError: two plugins define the name.
        ZooError: weights missing, corrupt (checksum), not fitting, or needing a component
            that is not installed; NotAvailableError when offline with nothing cached.

    Example:
        >>> model = zoo.create("dcgan-32", z_dim=64)
        >>> model.sample(4, seed=0).shape
        torch.Size([4, 3, 32, 32])
    """
    if isinstance(name, str) and name.startswith(_PREFIXES):
        return _create_from_weights(name, pretrained, overrides)
    arch, tag = parse_name(name)
    config = get_registry().resolve(arch, overrides)
    tags = config["pretrained"]
    if tag is not None and tag not in tags:
        hint = suggest(tag, tags) if tags else "; it has no pretrained tags"
        raise UnknownNameError(f"{arch!r} has no tag {tag!r}{hint}")
    if not pretrained:
        return build(config)
    if not tags:
        raise UnknownNameError(
            f"{arch!r} has no pretrained weights; `zoo list --pretrained` shows those that do"
        )
    if tag is None:
        if len(tags) > 1:
            names = ", ".join(f"{arch}.{t}" for t in sorted(tags))
            raise UnknownNameError(f"{arch!r} has several pretrained tags: pick one of {names}")
        (tag,) = tags
    if overrides:
        raise ZooError(
            f"{name!r}: overrides ({', '.join(overrides)}) cannot be applied to pretrained weights"
        )
    from zoo.hub.load import load_hub

    entry = tags[tag]
    spec = f"{entry['hub']}@{entry['revision']}" if entry.get("revision") else entry["hub"]
    return load_hub(spec, entry.get("sha256") or None, expect_arch=arch)


def _create_from_weights(name: str, pretrained: bool, overrides: dict[str, Any]) -> Any:
    from zoo.hub.load import load_hub, load_local

    if overrides:
        raise ZooError(
            f"{name!r}: overrides ({', '.join(overrides)}) cannot be applied to saved weights; "
            "the architecture comes from the repo's config.json"
        )
    prefix, _, rest = name.partition(":")
    if not rest:
        raise UnknownNameError(f"{name!r}: say what to load, e.g. hf-hub:ORG/NAME or local-dir:DIR")
    return load_hub(rest) if prefix == "hf-hub" else load_local(rest)


def open_model(source: str, *, pretrained: bool = False):
    """A model from what a command line names: a run/checkpoint/save_pretrained directory,
    ``local-dir:DIR``, ``hf-hub:ORG/NAME[@REV]``, ``ARCH.TAG`` (pretrained) or ``ARCH``
    (untrained weights, with a warning)."""
    if source.startswith(("hf-hub:", "local-dir:")):
        return create(source)
    if Path(source).exists():
        return create(f"local-dir:{source}")
    if pretrained or "." in source:
        return create(source, pretrained=True)
    print(
        f"zoo: {source} has untrained weights (pass a run directory, hf-hub:ORG/NAME or "
        "ARCH.TAG for trained ones)",
        file=sys.stderr,
    )
    return create(source)
