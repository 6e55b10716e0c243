"""Registrations of zoo-timm (no torch, no timm imported here)."""

from __future__ import annotations

from pathlib import Path

from zoo.plugins import hookimpl

ZOO_PLUGIN_API = "1.0"

_BACKBONE = {
    "backbone": (str, "resnet18", "timm model name (must support features_only)"),
    "pretrained": (bool, False, "load timm's pretrained weights (its cache or the Hub)"),
    "weights": (
        str | None,
        None,
        "local weights file for the backbone; None with pretrained false = random initialisation",
    ),
    "levels": (int, 4, "how many of the deepest feature levels to use"),
}


@hookimpl
def register_components(register):
    register(
        kind="discriminator",
        name="timm.projected",
        target="zoo_timm.projected:ProjectedDiscriminator",
        params={
            "resolution": (int, None, "image size (from the architecture)"),
            "channels": (int, None, "image channels (from the architecture)"),
            **_BACKBONE,
            "width": (int, 64, "channels of each trainable head"),
        },
        doc="Frozen timm feature pyramid + trainable SN heads per level (Projected GAN style); "
        "backbone pretrained from a local file or timm's cache, else random.",
    )
    register(
        kind="encoder",
        name="timm.pyramid",
        target="zoo_timm.projected:PyramidEncoder",
        params={
            "channels": (int, None, "image channels (from the architecture)"),
            "dim": (int, None, "token and vector size (2 * z_dim for a latent encoder)"),
            **_BACKBONE,
        },
        conditions=("image", "latent"),
        out_dim="dim",
        doc="Frozen timm feature pyramid read out as tokens of every level by trainable maps.",
    )


@hookimpl
def register_architectures(register):
    register(Path(__file__).with_name("architectures.yaml"))
