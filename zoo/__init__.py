"""zoo: a plugin-based model zoo for generative adversarial networks.

    >>> import zoo
    >>> zoo.list_models("dcgan-*")
    ['dcgan-32', 'dcgan-64']
    >>> model = zoo.create("cgan-mlp-28")
    >>> images = model.sample(16, labels=3, seed=0)   # [16, 1, 28, 28] in [-1, 1]

Importing zoo, listing and inspecting never import torch; ``create`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zoo.api import info, list_components, list_models
from zoo.errors import (
    ConditionError,
    ConflictError,
    NotAvailableError,
    PluginError,
    Problem,
    RegistryError,
    UnknownNameError,
    ValidationError,
    ZooError,
)
from zoo.registry import add_registry

if TYPE_CHECKING:
    from zoo.model import GANModel

__version__ = "0.1.0"


def create(name: str, pretrained: bool = False, **overrides: Any) -> GANModel:
    """Build a model by name; see :func:`zoo.factory.create`."""
    from zoo.factory import create as _create

    return _create(name, pretrained=pretrained, **overrides)


def list_plugins() -> list[dict[str, Any]]:
    """Every discovered plugin: name, distribution, version, status and error."""
    from zoo.registry import get_registry

    return [p.to_dict() for p in get_registry().plugins]


__all__ = [
    "ConditionError",
    "ConflictError",
    "NotAvailableError",
    "PluginError",
    "Problem",
    "RegistryError",
    "UnknownNameError",
    "ValidationError",
    "ZooError",
    "__version__",
    "add_registry",
    "create",
    "info",
    "list_components",
    "list_models",
    "list_plugins",
]
