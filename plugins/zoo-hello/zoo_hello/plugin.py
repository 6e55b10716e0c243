"""The hook implementations: what this plugin adds to the zoo.

This module is imported by ``zoo list`` and friends, so it must stay light: no torch here.
Targets are ``"module:callable"`` strings, imported only when a model is built.
"""

from __future__ import annotations

from pathlib import Path

from zoo.plugins import hookimpl

#: The zoo plugin API this plugin is written against (zoo refuses incompatible versions).
ZOO_PLUGIN_API = "1.0"

# Parameters zoo fills from the architecture when the YAML leaves them out.
_IMAGE = {
    "resolution": (int, None, "image size (from the architecture)"),
    "channels": (int, None, "image channels (from the architecture)"),
    "cond_dim": (int | None, None, "condition size; None = unconditional (from the encoder)"),
}


@hookimpl
def register_components(register):
    register(
        kind="generator",
        name="hello.tiny",  # namespaced: plugin name, dot, component name
        target="zoo_hello.nets:TinyGenerator",
        params={
            "z_dim": (int, None, "latent size (from the architecture)"),
            **_IMAGE,
            "width": (int, 64, "hidden width"),
        },
        conditions=("none", "class"),
        doc="A tiny two-layer generator: z (+ condition) -> image.",
    )
    register(
        kind="discriminator",
        name="hello.tiny",
        target="zoo_hello.nets:TinyDiscriminator",
        params={**_IMAGE, "width": (int, 64, "hidden width")},
        conditions=("none", "class"),
        doc="A tiny two-layer discriminator: image (+ condition) -> logit.",
    )


@hookimpl
def register_architectures(register):
    register(Path(__file__).with_name("architectures.yaml"))
