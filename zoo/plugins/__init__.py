"""Plugin machinery: the hook contract (:mod:`zoo.plugins.hookspecs`) and discovery."""

from zoo.plugins.hookspecs import hookimpl, hookspec

__all__ = ["hookimpl", "hookspec"]
