"""The registry: components and architectures from every origin, with clash detection."""

from __future__ import annotations

import copy
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoo.errors import ConflictError, Problem, UnknownNameError, ValidationError, suggest
from zoo.registry.spec import KINDS, ComponentSpec, Origin
from zoo.registry.yamlio import Document, load_file

ARCH_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TOP_LEVEL_KEYS = ("architectures",)


@dataclass
class ArchEntry:
    """One architecture as written, with the document that locates its lines."""

    name: str
    raw: Any
    doc: Document
    origin: Origin


def _clash(what: str, first: Origin, second: Origin) -> str:
    return (
        f"{what} is registered twice: by {first} and by {second}; "
        "disable one plugin (ZOO_DISABLE_PLUGINS) or replace it in a user file with override: true"
    )


def deep_merge(base: Any, overrides: Mapping[str, Any]) -> Any:
    """Return ``base`` with ``overrides`` merged in (mappings recursively, the rest replaced).

    A slot whose ``use`` changes is replaced whole: the old component's ``with`` would not
    fit the new one.
    """
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        old = out.get(key)
        if (
            isinstance(value, Mapping)
            and isinstance(old, dict)
            and value.get("use", old.get("use")) == old.get("use")
        ):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _leaf_paths(mapping: Mapping[str, Any], prefix: tuple = ()) -> list[tuple]:
    paths: list[tuple] = []
    for key, value in mapping.items():
        if isinstance(value, Mapping) and value:
            paths += _leaf_paths(value, (*prefix, key))
        else:
            paths.append((*prefix, key))
    return paths


class Registry:
    """Everything discovered in this process. Build one with :func:`zoo.registry.get_registry`."""

    def __init__(self) -> None:
        self.components: dict[tuple[str, str], ComponentSpec] = {}
        self.architectures: dict[str, ArchEntry] = {}
        self.conflicts: dict[str, str] = {}  # "kind name" or arch name -> message
        self.problems: list[Problem] = []  # file-level problems
        self.plugins: list[Any] = []  # PluginRecord, filled by discovery
        self._resolved: dict[str, dict[str, Any]] = {}

    # -- adding ------------------------------------------------------------------
    def add_component(self, spec: ComponentSpec) -> None:
        key = (spec.kind, spec.name)
        if key in self.components and self.components[key].origin != spec.origin:
            first = self.components[key].origin
            message = _clash(f"{spec.kind} {spec.name!r}", first, spec.origin)
            self.conflicts[f"{spec.kind} {spec.name}"] = message
            self.problems.append(Problem("registry", None, f"{spec.kind} {spec.name}", message))
            return
        self.components[key] = spec

    def add_document(self, doc: Document, origin: Origin, *, user: bool) -> list[Problem]:
        """Add the architectures of one YAML document; return (and keep) its file-level problems."""
        problems = list(doc.problems)
        data = doc.data
        if data is None and not problems:
            data = {}
        if data is not None and not isinstance(data, dict):
            problems.append(Problem(doc.source, doc.line(()), "", "expected a mapping at the top"))
            data = {}
        for key in data or {}:
            if key not in TOP_LEVEL_KEYS:
                problems.append(
                    Problem(
                        doc.source,
                        doc.line((key,)),
                        str(key),
                        f"unknown top-level key {key!r} (expected: {', '.join(TOP_LEVEL_KEYS)})",
                    )
                )
        archs = (data or {}).get("architectures") or {}
        if not isinstance(archs, dict):
            problems.append(
                Problem(
                    doc.source,
                    doc.line(("architectures",)),
                    "architectures",
                    "expected a mapping of architecture names",
                )
            )
            archs = {}
        for name, raw in archs.items():
            where = ("architectures", name)
            if not isinstance(name, str) or not ARCH_NAME_RE.match(name):
                problems.append(
                    Problem(
                        doc.source,
                        doc.line(where),
                        f"architectures.{name}",
                        "invalid name: use lower-case letters, digits, '-' and '_' "
                        "(a '.' separates the pretrained tag)",
                    )
                )
                continue
            override = isinstance(raw, dict) and raw.get("override") is True
            if override and not user:
                problems.append(
                    Problem(
                        doc.source,
                        doc.line((*where, "override")),
                        f"architectures.{name}.override",
                        "override: true is only allowed in a user registry file",
                    )
                )
                continue
            entry = ArchEntry(name, raw, doc, origin)
            if name in self.architectures and not override:
                first = self.architectures[name].origin
                self.conflicts[name] = _clash(f"architecture {name!r}", first, origin)
                problems.append(
                    Problem(
                        doc.source, doc.line(where), f"architectures.{name}", self.conflicts[name]
                    )
                )
                continue
            if override:
                self.conflicts.pop(name, None)
            self.architectures[name] = entry
            self._resolved.pop(name, None)
        self.problems += problems
        return problems

    def add_file(self, path: str | Path, *, user: bool = True) -> list[Problem]:
        path = Path(path).expanduser()
        return self.add_document(load_file(path), Origin(None, file=str(path)), user=user)

    # -- looking up ----------------------------------------------------------------
    def lookup(self, kind: str, name: str) -> ComponentSpec | str | list[str] | None:
        """For validation: the spec, a clash message, None if unknown; ``"*"`` lists names."""
        if name == "*":
            return [n for (k, n) in self.components if k == kind]
        clash = self.conflicts.get(f"{kind} {name}")
        if clash:
            return clash
        return self.components.get((kind, name))

    def component(self, kind: str, name: str) -> ComponentSpec:
        found = self.lookup(kind, name)
        if isinstance(found, str):
            raise ConflictError(found)
        if found is None:
            names = [n for (k, n) in self.components if k == kind]
            if kind not in KINDS:
                raise UnknownNameError(f"unknown component kind {kind!r}" + suggest(kind, KINDS))
            raise UnknownNameError(f"unknown {kind} {name!r}" + suggest(name, names))
        assert isinstance(found, ComponentSpec)
        return found

    def list_components(self, kind: str | None = None) -> list[ComponentSpec]:
        if kind is not None and kind not in KINDS:
            raise UnknownNameError(f"unknown component kind {kind!r}" + suggest(kind, KINDS))
        specs = [s for (k, _), s in self.components.items() if kind is None or k == kind]
        return sorted(specs, key=lambda s: (KINDS.index(s.kind), s.name))

    def list_models(self, pattern: str | None = None, pretrained: bool = False) -> list[str]:
        names: list[str] = []
        for name, entry in self.architectures.items():
            if pretrained:
                tags = entry.raw.get("pretrained") if isinstance(entry.raw, dict) else None
                names += [f"{name}.{tag}" for tag in (tags or {})]
            else:
                names.append(name)
        if pattern:
            names = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        return sorted(names)

    def entry(self, name: str) -> ArchEntry:
        if name in self.conflicts:
            raise ConflictError(self.conflicts[name])
        if name not in self.architectures:
            raise UnknownNameError(
                f"unknown architecture {name!r}" + suggest(name, self.architectures)
            )
        return self.architectures[name]

    # -- validating ------------------------------------------------------------------
    def resolve(self, name: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The validated, complete config of ``name`` with ``overrides`` merged in.

        Raises:
            UnknownNameError: no such architecture (the closest names are suggested).
            ConflictError: two origins define it.
            ValidationError: the entry or the overrides are invalid (all problems at once).
        """
        if not overrides and name in self._resolved:
            return copy.deepcopy(self._resolved[name])
        entry = self.entry(name)
        config, problems = self._resolve_entry(entry, overrides or {})
        if problems:
            raise ValidationError(problems)
        assert config is not None
        if not overrides:
            self._resolved[name] = copy.deepcopy(config)
        return config

    def _resolve_entry(
        self, entry: ArchEntry, overrides: Mapping[str, Any]
    ) -> tuple[dict[str, Any] | None, list[Problem]]:
        from zoo.registry.validate import resolve

        raw = entry.raw
        if overrides:
            if not isinstance(raw, dict):
                raw = {}
            raw = deep_merge(raw, overrides)
        base = ("architectures", entry.name)
        from_overrides = [(*base, *p) for p in _leaf_paths(overrides)]

        def locate(path: tuple) -> tuple[str, int | None]:
            if any(path[: len(p)] == p for p in from_overrides):
                return "<overrides>", None
            return entry.doc.source, entry.doc.line(path)

        return resolve(entry.name, raw, self.lookup, locate, base)

    def validate(self) -> list[Problem]:
        """Every problem: file-level ones, clashes, and those of each architecture."""
        problems = list(self.problems)
        for name in sorted(self.architectures):
            problems += self._resolve_entry(self.architectures[name], {})[1]
        return problems

    def check_document(self, doc: Document, origin: Origin) -> list[Problem]:
        """The problems ``doc`` would bring as a user file, without adding it."""
        scratch = Registry()
        scratch.components = self.components
        scratch.conflicts = dict(self.conflicts)
        scratch.architectures = dict(self.architectures)
        problems = scratch.add_document(doc, origin, user=True)
        for _, entry in sorted(scratch.architectures.items()):
            if entry.doc is doc:
                problems += scratch._resolve_entry(entry, {})[1]
        return problems
