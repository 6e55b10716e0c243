"""The plugin contract: every hook a zoo plugin may implement.

A plugin is a module (or object) named by an entry point in the group
``zoo.plugins``::

    # pyproject.toml of zoo-hello
    [project.entry-points."zoo.plugins"]
    hello = "zoo_hello.plugin"

    # zoo_hello/plugin.py
    from zoo.plugins import hookimpl

    ZOO_PLUGIN_API = "1.0"   # the version of this contract the plugin targets

    @hookimpl
    def register_components(register):
        register(kind="generator", name="hello.tiny", target="zoo_hello.nets:TinyG",
                 params={"ch": (int, 16)}, doc="A tiny generator.")

    @hookimpl
    def register_architectures(register):
        register(Path(__file__).with_name("architectures.yaml"))

Hooks only ever gain arguments: pluggy passes an implementation only the
arguments it names, so a plugin written today keeps working. Registration
never imports torch: targets are ``"module:callable"`` strings and parameter
schemas are plain data.
"""

from __future__ import annotations

import pluggy

PROJECT = "zoo"

#: The version of this contract. A plugin declares the one it targets as ``ZOO_PLUGIN_API``;
#: it loads when the major versions agree and its minor version is not newer than this one.
API_VERSION = "1.0"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(historic=True)
def register_components(register):
    """Add components: call ``register(kind=, name=, target=, params=, doc=, ...)`` once each."""


@hookspec(historic=True)
def register_architectures(register):
    """Add architectures: call ``register(path_to_yaml)`` or ``register(mapping, source=...)``."""
