"""The process-wide registry, built on first use from plugins and user files.

Environment variables are read when the registry is first built:
``ZOO_PLUGINS``, ``ZOO_DISABLE_PLUGINS``, ``ZOO_STRICT_PLUGINS`` (see
:mod:`zoo.plugins.discovery`) and ``ZOO_REGISTRY`` (user YAML files, separated
by ``os.pathsep``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from zoo.errors import Problem, ValidationError
from zoo.registry.spec import Origin
from zoo.registry.store import Registry
from zoo.registry.yamlio import load_file

_registry: Registry | None = None
_user_files: list[Path] = []


def _warn(message: str) -> None:
    print(f"zoo: warning: {message}", file=sys.stderr)


def get_registry() -> Registry:
    """The registry of this process (plugins are discovered once)."""
    global _registry
    if _registry is None:
        from zoo.plugins.discovery import load_plugins

        registry = Registry()
        load_plugins(registry, report=_warn)
        env = os.environ.get("ZOO_REGISTRY", "")
        for path in [p for p in env.split(os.pathsep) if p] + [str(p) for p in _user_files]:
            registry.add_file(path, user=True)
        _registry = registry
    return _registry


def add_registry(path: str | os.PathLike[str]) -> None:
    """Add a user registry file (architectures, ``override: true`` allowed).

    The file is validated as a whole first; if anything is wrong nothing is
    added and every problem is raised at once.

    Raises:
        ValidationError: the file has problems (each with file, line and path).

    Example:
        >>> zoo.add_registry("my_archs.yaml")
        >>> zoo.create("my-dcgan")
    """
    path = Path(path).expanduser().resolve()
    problems = validate_file(path)
    if problems:
        raise ValidationError(problems)
    _user_files.append(path)
    if _registry is not None:
        _registry.add_file(path, user=True)


def validate_file(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of one YAML file read as a user file, against the current registry."""
    path = Path(path).expanduser()
    return get_registry().check_document(load_file(path), Origin(None, file=str(path)))


def reset() -> None:
    """Forget the registry and user files (for tests); the next use rediscovers plugins."""
    global _registry
    _registry = None
    _user_files.clear()


__all__ = ["Registry", "add_registry", "get_registry", "reset", "validate_file"]
