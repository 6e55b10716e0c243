"""The built-in plugin: zoo's own components and ``registry.yaml``.

It enters through the same ``zoo.plugins`` entry point as every third-party
plugin. Nothing here imports torch: targets are strings, schemas plain data.
"""

from __future__ import annotations

from pathlib import Path

from zoo.plugins import hookimpl

#: DCGAN doubles from a 4x4 seed, so it supports 4 * 2**k.
POW2 = (8, 16, 32, 64, 128, 256, 512)

_IMAGE = {
    "resolution": (int, None, "image height and width (filled from the architecture)"),
    "channels": (int, None, "image channels (filled from the architecture)"),
    "cond_dim": (
        int | None,
        None,
        "condition vector size; None = unconditional (from the encoder)",
    ),
}


@hookimpl
def register_components(register):
    # generators ------------------------------------------------------------------
    register(
        kind="generator",
        name="mlp",
        target="zoo.components.mlp:MLPGenerator",
        params={
            "z_dim": (int, None, "latent size (filled from the architecture)"),
            **_IMAGE,
            "hidden": (list[int], [256, 512, 1024], "widths of the hidden layers"),
        },
        conditions=("none", "class"),
        doc="Fully connected generator of the original GAN (Goodfellow et al. 2014); "
        "conditional by concatenating the condition to z (Mirza & Osindero 2014).",
    )
    register(
        kind="generator",
        name="dcgan",
        target="zoo.components.dcgan:DCGANGenerator",
        params={
            "z_dim": (int, None, "latent size (filled from the architecture)"),
            **_IMAGE,
            "ch": (int, 64, "channels of the last hidden layer; doubled per step down"),
            "max_ch": (int, 512, "upper bound on channels in any layer"),
        },
        conditions=("none", "class"),
        resolutions=POW2,
        doc="Transposed-convolution generator with BatchNorm (Radford et al. 2016); "
        "conditional by concatenating the condition to z.",
    )
    # discriminators --------------------------------------------------------------
    register(
        kind="discriminator",
        name="mlp",
        target="zoo.components.mlp:MLPDiscriminator",
        params={
            **_IMAGE,
            "hidden": (list[int], [1024, 512, 256], "widths of the hidden layers"),
            "dropout": (float, 0.3, "dropout after each hidden layer"),
        },
        conditions=("none", "class"),
        doc="Fully connected discriminator of the original GAN; conditional by concatenation.",
    )
    register(
        kind="discriminator",
        name="dcgan",
        target="zoo.components.dcgan:DCGANDiscriminator",
        params={
            **_IMAGE,
            "ch": (int, 64, "channels of the first layer; doubled per step down"),
            "max_ch": (int, 512, "upper bound on channels in any layer"),
        },
        conditions=("none", "class"),
        resolutions=POW2,
        doc="Strided-convolution discriminator with BatchNorm and LeakyReLU (Radford et al. "
        "2016); conditional by appending the condition as constant feature maps.",
    )
    # encoders ----------------------------------------------------------------------
    register(
        kind="encoder",
        name="onehot",
        target="zoo.components.encoders:OneHotEncoder",
        params={"num_classes": (int, None, "number of classes (filled from the architecture)")},
        conditions=("class",),
        out_dim="num_classes",
        doc="Class labels as one-hot vectors (the condition y of Mirza & Osindero 2014).",
    )
    # losses --------------------------------------------------------------------------
    for name, cls, doc in (
        ("bce", "NonSaturatingLoss", "Non-saturating GAN loss: BCE on logits (Goodfellow 2014)."),
        ("hinge", "HingeLoss", "Hinge loss (Lim & Ye 2017; Miyato et al. 2018)."),
        ("wasserstein", "WassersteinLoss", "Wasserstein critic loss (Arjovsky et al. 2017)."),
        ("lsgan", "LeastSquaresLoss", "Least-squares loss with targets 0/1 (Mao et al. 2017)."),
    ):
        register(kind="loss", name=name, target=f"zoo.components.losses:{cls}", doc=doc)
    # objectives ----------------------------------------------------------------------
    register(
        kind="objective",
        name="gan",
        target="zoo.components.objectives:GANObjective",
        doc="Alternating updates: n_dis discriminator steps, then one generator step.",
    )


def _registry_yaml() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "registry.yaml"  # inside a wheel
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "registry.yaml"  # source checkout


@hookimpl
def register_architectures(register):
    register(_registry_yaml())
