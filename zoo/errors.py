"""One exception hierarchy for the library; every message says what to do next."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def suggest(name: str, choices: Iterable[str], limit: int = 16) -> str:
    """``"; did you mean 'dcgan'?"``, or else the list of what exists (up to ``limit``)."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.5)
    if close:
        return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    if not choices:
        return ""
    shown = ", ".join(choices[:limit]) + (", ..." if len(choices) > limit else "")
    return f" (available: {shown})"


class ZooError(Exception):
    """Base class of every error zoo raises on purpose.

    The CLI prints ``str(error)`` as one line on stderr and exits non-zero.
    """


class PluginError(ZooError):
    """A plugin failed to import or register (fatal only with ``ZOO_STRICT_PLUGINS=1``)."""


class RegistryError(ZooError):
    """The registry cannot answer: unknown name, clash between origins, bad YAML."""


class UnknownNameError(RegistryError, KeyError):
    """A model, tag or component name that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ConflictError(RegistryError):
    """Two origins registered the same name; the message names both."""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located in its source file."""

    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ValidationError(RegistryError):
    """An architecture (YAML or overrides) failed validation; ``problems`` holds all of them."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class ConditionError(ZooError, ValueError):
    """Labels, texts or images passed to a model do not fit its conditioning."""


class NotAvailableError(ZooError):
    """A feature that needs something this installation does not have."""
