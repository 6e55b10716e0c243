"""Read YAML and remember the line of every key, so problems can point at it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zoo.errors import Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that also reads YAML 1.2 floats such as ``1e-4`` (1.1 would keep a string)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """Parsed YAML data plus ``positions``: key path -> 1-based line."""

    source: str
    data: Any
    positions: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), None)


def load_text(text: str, source: str) -> Document:
    """Parse ``text``; syntax errors and duplicate keys become problems, not exceptions."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return Document(
            source, None, problems=[Problem(source, line, "", f"invalid YAML: {reason}")]
        )
    finally:
        loader.dispose()
    doc = Document(source, data)
    if node is not None:
        doc.positions[()] = node.start_mark.line + 1
        _walk(node, data, (), doc)
    return doc


def load_file(path: str | Path) -> Document:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return Document(
            str(path), None, problems=[Problem(str(path), None, "", exc.strerror or str(exc))]
        )
    return load_text(text, str(path))


def _walk(node: yaml.Node, data: Any, path: Path_, doc: Document) -> None:
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                dotted = ".".join(str(p) for p in (*path, key))
                doc.problems.append(
                    Problem(
                        doc.source,
                        line,
                        dotted,
                        f"duplicate key (first defined on line {seen[key]})",
                    )
                )
            seen[key] = line
            doc.positions[(*path, key)] = line
            if key in data:
                _walk(value_node, data[key], (*path, key), doc)
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for i, (item_node, item) in enumerate(zip(node.value, data, strict=False)):
            doc.positions[(*path, i)] = item_node.start_mark.line + 1
            _walk(item_node, item, (*path, i), doc)
