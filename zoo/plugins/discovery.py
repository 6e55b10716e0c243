"""Find plugins through entry points and load each inside its own error boundary.

Order of events, once per process:

1. read ``importlib.metadata.entry_points(group="zoo.plugins")``;
2. apply ``ZOO_PLUGINS`` (allow list; set but empty = built-ins only) and
   ``ZOO_DISABLE_PLUGINS`` (block list) by distribution or entry-point name,
   before importing anything;
3. import and register each remaining plugin; a failure is recorded (and its
   partial registrations rolled back) unless ``ZOO_STRICT_PLUGINS=1``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

import pluggy

from zoo.errors import PluginError
from zoo.plugins import hookspecs
from zoo.registry.spec import ComponentSpec, Origin, make_spec
from zoo.registry.store import Registry
from zoo.registry.yamlio import Document, load_file

GROUP = "zoo.plugins"
BUILTIN_DIST = "zoo"


@dataclass
class PluginRecord:
    """What ``zoo plugins`` shows for one entry point."""

    name: str
    distribution: str | None
    version: str | None
    module: str
    status: str  # loaded | failed | incompatible | disabled | not allowed
    error: str | None = None
    components: int = 0
    architectures: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _env_list(var: str) -> list[str] | None:
    value = os.environ.get(var)
    if value is None:
        return None
    return [_norm(v) for v in value.split(",") if v.strip()]


def _truthy(var: str) -> bool:
    return os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class _Staging:
    """Collects one plugin's registrations; committed only if the whole plugin succeeds."""

    origin: Origin | None = None
    components: list[ComponentSpec] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    def begin(self, origin: Origin) -> None:
        self.origin = origin
        self.components, self.documents = [], []

    def component(self, **kwargs: Any) -> None:
        assert self.origin is not None
        self.components.append(make_spec(self.origin, **kwargs))

    def architectures(
        self, data: str | Path | Mapping[str, Any], *, source: str | None = None
    ) -> None:
        """``register(path_to_yaml)``, or ``register(mapping, source="where it came from")``."""
        if isinstance(data, Mapping):
            self.documents.append(Document(source or f"<{self.origin}>", dict(data)))
        else:
            self.documents.append(load_file(data))


def _check_hooks(pm: pluggy.PluginManager, plugin: object) -> None:
    """After ``pm.register(plugin)``: refuse hook implementations no hookspec declares
    (pluggy would keep them silently). Reads the hook callers pluggy made for this plugin
    instead of scanning the module a second time."""
    for caller in pm.get_hookcallers(plugin) or []:
        if not caller.has_spec():
            known = ", ".join(n for n in dir(hookspecs) if n.startswith("register_"))
            raise PluginError(f"implements unknown hook {caller.name!r} (known hooks: {known})")


def _check_api(plugin: object) -> str | None:
    """Why ``plugin`` cannot load with this zoo's plugin API, or None if it can."""
    declared = getattr(plugin, "ZOO_PLUGIN_API", None)
    ours = hookspecs.API_VERSION
    if declared is None:
        return f"does not declare the zoo plugin API it targets (add ZOO_PLUGIN_API = {ours!r})"
    try:
        major, minor = (int(x) for x in str(declared).split("."))
    except ValueError:
        return f"ZOO_PLUGIN_API = {declared!r} is not a version like {ours!r}"
    our_major, our_minor = (int(x) for x in ours.split("."))
    if major != our_major or minor > our_minor:
        return f"targets zoo plugin API {declared}, but this zoo provides plugin API {ours}"
    return None


def _with_dist(ep: EntryPoint) -> tuple[EntryPoint, str | None, str | None]:
    """``(ep, distribution name, version)``.

    Reads the two header lines from METADATA directly: ``dist.name`` and ``dist.version``
    each run the e-mail parser over the whole file, which adds up with many plugins.
    """
    if ep.dist is None:
        return ep, None, None
    fields: dict[str, str] = {}
    for line in (ep.dist.read_text("METADATA") or "").splitlines():
        if not line.strip():
            break  # end of the headers
        key, sep, value = line.partition(":")
        if sep and key in ("Name", "Version"):
            fields.setdefault(key, value.strip())
    if len(fields) < 2:  # unusual metadata (e.g. PKG-INFO): let importlib parse it
        meta = ep.dist.metadata
        return ep, meta["Name"], meta["Version"]
    return ep, fields["Name"], fields["Version"]


def _sort_key(item: tuple[EntryPoint, str | None, str | None]) -> tuple[bool, str, str]:
    dist = _norm(item[1] or "")
    return (dist != BUILTIN_DIST, dist, item[0].name)


def _architecture_names(doc: Document) -> list[str]:
    archs = doc.data.get("architectures") if isinstance(doc.data, dict) else None
    return [n for n in archs if isinstance(n, str)] if isinstance(archs, dict) else []


def load_plugins(
    registry: Registry,
    eps: list[EntryPoint] | None = None,
    report: Callable[[str], None] | None = None,
) -> None:
    """Discover, filter, import and register every plugin into ``registry``."""
    if eps is None:
        eps = list(entry_points(group=GROUP))
    allow = _env_list("ZOO_PLUGINS")
    block = _env_list("ZOO_DISABLE_PLUGINS") or []
    strict = _truthy("ZOO_STRICT_PLUGINS")

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    stage = _Staging()
    pm.hook.register_components.call_historic(kwargs={"register": stage.component})
    pm.hook.register_architectures.call_historic(kwargs={"register": stage.architectures})

    for ep, dist, version in sorted(map(_with_dist, eps), key=_sort_key):
        record = PluginRecord(ep.name, dist, version, ep.value, "loaded")
        registry.plugins.append(record)
        names = {_norm(ep.name), _norm(dist or "")}
        builtin = _norm(dist or "") == BUILTIN_DIST
        if not builtin and names & set(block):
            record.status = "disabled"
            continue
        if not builtin and allow is not None and not names & set(allow):
            record.status = "not allowed"
            continue
        origin = Origin(dist, version, module=ep.value)
        stage.begin(origin)
        plugin = None
        try:
            plugin = ep.load()
            incompatible = _check_api(plugin)
            if incompatible:
                record.status = "incompatible"
                raise PluginError(incompatible)
            pm.register(plugin, name=f"{dist}:{ep.name}")
            _check_hooks(pm, plugin)
        except Exception as exc:  # the error boundary: one plugin never breaks the others
            if plugin is not None and pm.is_registered(plugin):
                pm.unregister(plugin)
            if record.status != "incompatible":
                record.status = "failed"
            record.error = f"{type(exc).__name__}: {exc}"
            message = (
                f"plugin {ep.name!r} from {dist or 'unknown distribution'} failed: {record.error}"
            )
            if strict:
                raise PluginError(message + " (ZOO_STRICT_PLUGINS=1)") from exc
            if report is not None:
                report(message)
            continue
        for spec in stage.components:
            registry.add_component(spec)
        for doc in stage.documents:
            registry.add_document(doc, origin, user=False)
        record.components = len(stage.components)
        names = {n for doc in stage.documents for n in _architecture_names(doc)}
        record.architectures = sum(
            1
            for n in names
            if n in registry.architectures and registry.architectures[n].origin == origin
        )
    if strict and registry.conflicts:
        raise PluginError(next(iter(registry.conflicts.values())) + " (ZOO_STRICT_PLUGINS=1)")
