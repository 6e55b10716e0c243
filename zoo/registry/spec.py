"""Plain-data descriptions of components and where things came from (never imports torch)."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zoo.errors import PluginError

KINDS = (
    "generator",
    "discriminator",
    "encoder",
    "loss",
    "regularizer",
    "objective",
    "dataset",
    "metric",
)
CONDITIONS = ("none", "class", "text", "image")
#: What an encoder may encode: a condition, or images into the latent space (VAE-GAN).
ENCODES = (*CONDITIONS[1:], "latent")

#: Parameters a generator, discriminator or encoder may declare without a
#: default: the factory fills them from the architecture (``cond_dim`` from the
#: encoder), and cross-slot checks compare them before anything is built.
CONTEXT_PARAMS = ("resolution", "channels", "z_dim", "num_classes", "cond_dim")

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")
TARGET_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")

_REQUIRED = object()


@dataclass(frozen=True)
class Origin:
    """Where a component or architecture was registered from."""

    distribution: str | None
    version: str | None = None
    module: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        if self.distribution is None:
            return f"user file {self.file}"
        text = f"{self.distribution} {self.version or ''}".strip()
        where = self.module or self.file
        return f"{text} ({where})" if where else text

    def to_dict(self) -> dict[str, str | None]:
        return {
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
            "file": self.file,
        }


@dataclass(frozen=True)
class Param:
    """One constructor parameter: its type (a Python annotation), default and help."""

    type: Any
    default: Any = _REQUIRED
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": type_name(self.type), "required": self.required}
        if not self.required:
            out["default"] = self.default
        if self.help:
            out["help"] = self.help
        return out


def type_name(annotation: Any) -> str:
    """Readable name of an annotation: ``list[int]`` -> ``'list[int]'``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(a) for a in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))


def as_param(value: Any) -> Param:
    """A ``Param`` from a bare type (required), ``(type, default)`` or ``(type, default, doc)``."""
    if isinstance(value, Param):
        return value
    if isinstance(value, tuple) and 1 <= len(value) <= 3:
        return Param(*value)
    return Param(value)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class ComponentSpec:
    """A registered, named, typed factory. ``target`` is imported only when built."""

    kind: str
    name: str
    target: str
    params: Mapping[str, Param]
    doc: str
    origin: Origin
    #: generator/discriminator: the conditions it accepts; encoder: the one it encodes.
    conditions: tuple[str, ...] = ("none",)
    #: the resolutions it supports, when not every one.
    resolutions: tuple[int, ...] | None = None
    #: encoder: the parameter whose value is the size of the condition it produces.
    out_dim: str | None = None
    #: objective: slots it needs beyond generator and discriminator (``"encoders.latent"``).
    needs: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "target": self.target,
            "summary": self.summary,
            "doc": self.doc.strip(),
            "params": {k: p.to_dict() for k, p in self.params.items()},
            "conditions": list(self.conditions),
            "resolutions": None if self.resolutions is None else list(self.resolutions),
            "origin": self.origin.to_dict(),
        }


def make_spec(
    origin: Origin,
    *,
    kind: str,
    name: str,
    target: str,
    params: Mapping[str, Any] | None = None,
    doc: str = "",
    conditions: tuple[str, ...] | list[str] = ("none",),
    resolutions: tuple[int, ...] | list[int] | None = None,
    out_dim: str | None = None,
    needs: tuple[str, ...] | list[str] = (),
) -> ComponentSpec:
    """Check what a plugin passed to ``register`` and turn it into a ``ComponentSpec``."""
    who = f"{kind} {name!r} from {origin}"
    if kind not in KINDS:
        raise PluginError(f"{who}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise PluginError(
            f"{who}: invalid name; use lower-case letters, digits, '-' and '_', "
            "with '.' only between a namespace and the name (e.g. 'hello.tiny')"
        )
    if not isinstance(target, str) or not TARGET_RE.match(target):
        raise PluginError(f"{who}: target {target!r} must look like 'package.module:callable'")
    allowed = ENCODES if kind == "encoder" else CONDITIONS
    bad = [c for c in conditions if c not in allowed]
    if bad:
        raise PluginError(f"{who}: unknown condition {bad[0]!r}; expected one of {allowed}")
    spec_params = {str(k): as_param(v) for k, v in (params or {}).items()}
    if out_dim is not None and out_dim not in spec_params:
        raise PluginError(f"{who}: out_dim names {out_dim!r}, which is not one of its params")
    return ComponentSpec(
        kind=kind,
        name=name,
        target=target,
        params=spec_params,
        doc=doc or "",
        origin=origin,
        conditions=tuple(conditions),
        resolutions=None if resolutions is None else tuple(resolutions),
        out_dim=out_dim,
        needs=tuple(needs),
    )
