"""Validate an architecture entry and resolve it into a complete, plain-data config.

Every problem is collected (never the first one only) and located by file,
line and dotted path. Cross-slot checks run before anything is constructed.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pydantic

from zoo.errors import Problem, suggest
from zoo.registry import schema
from zoo.registry.spec import CONTEXT_PARAMS, ComponentSpec, type_name

KeyPath = tuple[str | int, ...]
Locate = Callable[[KeyPath], tuple[str, int | None]]
Lookup = Callable[[str, str], ComponentSpec | str | None]
"""``lookup(kind, name)``: the spec, an error message (e.g. a clash), or None if unknown."""


def normalize(raw: Any) -> Any:
    """Expand shorthands (``loss: hinge`` -> ``loss: {use: hinge}``) without touching the input."""
    if not isinstance(raw, dict):
        return raw
    out = copy.deepcopy(raw)
    out.setdefault("objective", schema.DEFAULT_OBJECTIVE)
    for key in schema.SHORTHAND_SLOTS:
        if isinstance(out.get(key), str):
            out[key] = {"use": out[key]}
    if isinstance(out.get("regularizers"), list):
        out["regularizers"] = [{"use": r} if isinstance(r, str) else r for r in out["regularizers"]]
    return out


class _Collector:
    def __init__(self, base: KeyPath, locate: Locate):
        self.base = base
        self.locate = locate
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str) -> None:
        full = (*self.base, *path)
        source, line = self.locate(full)
        self.problems.append(Problem(source, line, ".".join(str(p) for p in full), message))

    def pydantic(self, exc: pydantic.ValidationError, path: KeyPath, model: type) -> None:
        for err in exc.errors():
            loc = tuple(err["loc"])
            self.add((*path, *loc), _message(err, model, loc))


def _message(err: Mapping[str, Any], model: type, loc: KeyPath) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        return f"unknown key {loc[-1]!r}" + suggest(str(loc[-1]), allowed)
    if kind == "missing":
        return "required key is missing"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        expected = kind.split("_")[0]
        expected = {"string": "str", "dict": "mapping", "model": "mapping"}.get(expected, expected)
        return f"expected {expected}, got {value!r}"
    if kind == "literal_error":
        return f"expected one of {err['ctx']['expected']}, got {value!r}"
    msg = err["msg"]
    msg = msg.removeprefix("Value error, ")
    return f"{msg[:1].lower()}{msg[1:]}, got {value!r}"


def _allowed_keys(model: Any, loc: KeyPath) -> list[str]:
    """The field names (aliases) of the sub-model that ``loc`` points into."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
            field = current.model_fields.get(str(part)) or next(
                (f for f in current.model_fields.values() if f.alias == part), None
            )
            current = field.annotation if field is not None else None
        else:  # dict[..., X] or list[X]: step over the key or index
            args = typing.get_args(current)
            current = args[-1] if args else None
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


@cache
def _params_model(spec: ComponentSpec) -> type[pydantic.BaseModel]:
    fields = {name: (p.type, ... if p.required else p.default) for name, p in spec.params.items()}
    config = pydantic.ConfigDict(extra="forbid", strict=True, arbitrary_types_allowed=True)
    return pydantic.create_model(f"{spec.kind}:{spec.name}", __config__=config, **fields)


def _check_params(
    spec: ComponentSpec, given: dict[str, Any], path: KeyPath, out: _Collector
) -> dict[str, Any] | None:
    model = _params_model(spec)
    try:
        return model.model_validate(given).model_dump()
    except pydantic.ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                msg = f"{spec.kind} {spec.name!r} has no parameter {loc[-1]!r}" + suggest(
                    str(loc[-1]), spec.params
                )
            elif err["type"] == "missing":
                param = spec.params[str(loc[0])]
                msg = f"required parameter missing ({type_name(param.type)})"
            else:
                msg = _message(err, model, loc)
            out.add((*path, *loc), msg)
        return None


def check_params(spec: ComponentSpec, given: dict[str, Any], where: str) -> dict[str, Any]:
    """Validate ``given`` against ``spec``'s parameters; raise every problem at once."""
    from zoo.errors import ValidationError

    out = _Collector((), lambda path: (where, None))
    params = _check_params(spec, given, (), out)
    if params is None:
        raise ValidationError(out.problems)
    return params


class _Resolver:
    """Resolves one architecture; records problems instead of stopping at the first."""

    def __init__(self, raw: dict[str, Any], lookup: Lookup, out: _Collector):
        self.raw = raw
        self.lookup = lookup
        self.out = out

    def int_field(self, key: str) -> int | None:
        value = self.raw.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def slot(
        self, kind: str, path: KeyPath, context: Mapping[str, Any]
    ) -> tuple[ComponentSpec, dict[str, Any]] | None:
        node: Any = self.raw
        for part in path:
            node = node[part]
        if not isinstance(node, dict) or not isinstance(node.get("use"), str):
            return None  # the schema check reports it
        name = node["use"]
        found = self.lookup(kind, name)
        if found is None:
            choices = self.lookup(kind, "*")
            self.out.add((*path, "use"), f"unknown {kind} {name!r}" + suggest(name, choices or []))
            return None
        if isinstance(found, str):
            self.out.add((*path, "use"), found)
            return None
        given = node.get("with", {})
        if not isinstance(given, dict):
            return None
        given = dict(given)
        for key in CONTEXT_PARAMS:
            if key in found.params and key not in given and key in context:
                given[key] = context[key]
        params = _check_params(found, given, (*path, "with"), self.out)
        return None if params is None else (found, params)


def resolve(
    name: str, raw: Any, lookup: Lookup, locate: Locate, base: KeyPath
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Validate ``raw`` (one architecture entry) and return its resolved config.

    Returns ``(config, [])`` on success, ``(None, problems)`` otherwise.
    """
    out = _Collector(base, locate)
    raw = normalize(raw)
    if not isinstance(raw, dict):
        out.add((), f"expected a mapping, got {raw!r}")
        return None, out.problems

    arch: schema.Architecture | None = None
    try:
        arch = schema.Architecture.model_validate(raw)
    except pydantic.ValidationError as exc:
        out.pydantic(exc, (), schema.Architecture)

    r = _Resolver(raw, lookup, out)
    condition = raw.get("condition", "none")
    context: dict[str, Any] = {
        k: v
        for k in ("resolution", "channels", "z_dim", "num_classes")
        if (v := r.int_field(k)) is not None
    }

    encoders: dict[str, tuple[ComponentSpec, dict[str, Any]]] = {}
    raw_encoders = raw.get("encoders")
    if isinstance(raw_encoders, dict):
        for key in raw_encoders:
            got = r.slot("encoder", ("encoders", key), context)
            if got is not None:
                encoders[key] = got

    cond_dim: int | None = None
    if condition in encoders:
        spec, params = encoders[condition]
        cond_dim = params.get(spec.out_dim) if spec.out_dim else None
    slot_context = {**context, "cond_dim": cond_dim}

    slots: dict[str, tuple[ComponentSpec, dict[str, Any]]] = {}
    for key in ("generator", "discriminator"):
        if key in raw:
            got = r.slot(key, (key,), slot_context)
            if got is not None:
                slots[key] = got
    for key, kind in (("objective", "objective"), ("loss", "loss")):
        if key in raw:
            got = r.slot(kind, (key,), {})
            if got is not None:
                slots[key] = got
    regularizers = []
    if isinstance(raw.get("regularizers"), list):
        for i in range(len(raw["regularizers"])):
            got = r.slot("regularizer", ("regularizers", i), {})
            if got is not None:
                regularizers.append(got)

    _cross_checks(raw, condition, encoders, slots, out)

    if out.problems or arch is None:
        return None, sorted(out.problems, key=lambda p: p.line or 0)
    config = {
        "name": name,
        "summary": arch.summary,
        "resolution": arch.resolution,
        "channels": arch.channels,
        "z_dim": arch.z_dim,
        "condition": arch.condition,
        "num_classes": arch.num_classes,
        "encoders": {k: {"use": s.name, "with": p} for k, (s, p) in encoders.items()},
        **{k: {"use": s.name, "with": p} for k, (s, p) in slots.items()},
        "regularizers": [{"use": s.name, "with": p} for s, p in regularizers],
        "train": arch.train.model_dump(),
        "pretrained": {t: p.model_dump() for t, p in arch.pretrained.items()},
    }
    return config, []


def _shape(params: Mapping[str, Any]) -> list[int | None]:
    res = params.get("resolution")
    return [params.get("channels"), res, res]


def _cross_checks(
    raw: dict[str, Any],
    condition: Any,
    encoders: Mapping[str, tuple[ComponentSpec, dict[str, Any]]],
    slots: Mapping[str, tuple[ComponentSpec, dict[str, Any]]],
    out: _Collector,
) -> None:
    """Checks that need more than one slot; each runs when the slots it needs resolved."""
    if condition == "class" and raw.get("num_classes") is None:
        out.add(("condition",), "condition 'class' needs num_classes (how many classes there are)")
    if condition != "class" and raw.get("num_classes") is not None:
        out.add(("num_classes",), f"num_classes is set but condition is {condition!r}")
    if condition in ("class", "text", "image") and condition not in (raw.get("encoders") or {}):
        out.add(
            ("encoders",), f"condition {condition!r} needs an encoder: add encoders.{condition}"
        )
    for key, (spec, _) in encoders.items():
        if key != condition and key != "latent":
            out.add(("encoders", key), f"an encoder for {key!r}, but condition is {condition!r}")
        elif key not in spec.conditions:
            encodes = ", ".join(spec.conditions)
            out.add(
                ("encoders", key, "use"), f"encoder {spec.name!r} encodes {encodes}, not {key!r}"
            )

    if "objective" in slots:
        spec = slots["objective"][0]
        if condition not in spec.conditions:
            out.add(
                ("objective", "use"),
                f"objective {spec.name!r} trains {', '.join(spec.conditions)} models, "
                f"not {condition!r}",
            )
        for need in spec.needs:
            node: Any = raw
            for part in need.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                out.add(("objective", "use"), f"objective {spec.name!r} needs {need}")
    if "latent" in encoders:
        spec, params = encoders["latent"]
        size = params.get(spec.out_dim) if spec.out_dim else None
        z_dim = raw.get("z_dim")
        if isinstance(z_dim, int) and size is not None and size != 2 * z_dim:
            out.add(
                ("encoders", "latent", "with", spec.out_dim),
                f"a latent encoder must produce 2 * z_dim = {2 * z_dim} values "
                f"(mean and log-variance), got {size}",
            )
    enc = encoders.get(condition)
    enc_dim = enc[1].get(enc[0].out_dim) if enc and enc[0].out_dim else None
    for key in ("generator", "discriminator"):
        if key not in slots:
            continue
        spec, params = slots[key]
        if condition in ("none", "class", "text", "image") and condition not in spec.conditions:
            accepts = ", ".join(spec.conditions)
            out.add(
                (key, "use"), f"{key} {spec.name!r} accepts condition {accepts}, not {condition!r}"
            )
            continue
        res = params.get("resolution")
        if spec.resolutions is not None and res is not None and res not in spec.resolutions:
            sizes = ", ".join(str(s) for s in spec.resolutions)
            out.add(
                (key, "with", "resolution")
                if "resolution" in raw.get(key, {}).get("with", {})
                else ("resolution",),
                f"{key} {spec.name!r} supports resolutions {sizes}, got {res}",
            )
        if "cond_dim" in params:
            got = params["cond_dim"]
            if condition == "none" and got is not None:
                out.add(
                    (key, "with", "cond_dim"),
                    f"{key} expects a condition of size {got}, "
                    "but the architecture is unconditional",
                )
            elif condition != "none" and enc_dim is not None and got is None:
                out.add(
                    (key, "with", "cond_dim"),
                    f"{key} is unconditional, but the architecture is {condition}-conditional",
                )
            elif condition != "none" and enc_dim is not None and got != enc_dim:
                out.add(
                    (key, "with", "cond_dim"),
                    f"{key} expects a condition of size {got}, but encoders.{condition} "
                    f"produces {enc_dim}",
                )
        z_dim = raw.get("z_dim")
        if (
            key == "generator"
            and isinstance(z_dim, int)
            and params.get("z_dim") not in (None, z_dim)
        ):
            out.add(
                ("generator", "with", "z_dim"),
                f"generator takes z of size {params['z_dim']}, but z_dim is {raw.get('z_dim')}",
            )

    if "generator" in slots and "discriminator" in slots:
        g_shape = _shape(slots["generator"][1])
        d_shape = _shape(slots["discriminator"][1])
        arch_shape = _shape(raw)
        if None not in g_shape and None not in d_shape and g_shape != d_shape:
            out.add(
                ("discriminator",),
                f"generator outputs {g_shape} images but discriminator expects {d_shape}",
            )
        elif None not in g_shape and None not in arch_shape and g_shape != arch_shape:
            out.add(
                ("generator",),
                f"generator outputs {g_shape} images but the architecture declares {arch_shape}",
            )
