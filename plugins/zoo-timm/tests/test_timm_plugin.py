"""zoo-timm's own tests."""

from __future__ import annotations

import itertools

import timm
import torch
from safetensors.torch import save_file

import zoo
from zoo.components.objectives import Batch
from zoo.factory import build_objective


def test_projected_gan_trains_with_a_frozen_backbone():
    torch.manual_seed(0)
    model = zoo.create("projected-gan-64", generator={"with": {"ch": 16}})
    D = model.discriminator
    assert D.pyramid.source == "random initialisation"
    backbone = {k: v.clone() for k, v in D.pyramid.net.state_dict().items()}
    objective = build_objective(model.config)
    groups = objective.parameter_groups(model)
    assert not any(p is q for p in groups["d"] for q in D.pyramid.parameters())
    optimizers = {k: torch.optim.Adam(v, lr=1e-3) for k, v in groups.items()}
    batch = Batch(torch.rand(4, 3, 64, 64) * 2 - 1)
    # the weights (a hinge loss gives the output bias no gradient while every logit is in its
    # margin: the real and fake terms cancel)
    heads = [(p, p.detach().clone()) for p in D.heads.parameters() if p.ndim > 1]
    objective.step(model, itertools.repeat(batch), optimizers)
    after = D.pyramid.net.state_dict()
    assert all(torch.equal(v, after[k]) for k, v in backbone.items())  # weights and BN stats
    assert all(not torch.equal(p, before) for p, before in heads)
    assert D.pyramid.net.training is False


def test_backbone_weights_from_a_local_file(tmp_path):
    torch.manual_seed(1)
    full = timm.create_model("resnet18")
    path = tmp_path / "resnet18.safetensors"
    save_file({k: v.contiguous() for k, v in full.state_dict().items()}, str(path))
    model = zoo.create("projected-gan-64", discriminator={"with": {"weights": str(path)}})
    net = model.discriminator.pyramid.net
    assert model.discriminator.pyramid.source == str(path)
    assert torch.equal(net.state_dict()["conv1.weight"], full.state_dict()["conv1.weight"])
    assert torch.equal(
        net.state_dict()["layer4.1.conv2.weight"], full.state_dict()["layer4.1.conv2.weight"]
    )


def test_pyramid_encoder_serves_as_a_vae_gan_latent_encoder():
    model = zoo.create(
        "vaegan-64", encoders={"latent": {"use": "timm.pyramid", "with": {"dim": 256, "levels": 2}}}
    )
    cond = model.encoders["latent"](torch.rand(2, 3, 64, 64) * 2 - 1)
    assert cond.vector.shape == (2, 256)
    assert cond.tokens.shape == (2, 4 * 4 + 2 * 2, 256)  # 64px input: 4x4 and 2x2 levels
