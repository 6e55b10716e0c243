"""zoo.create and model.sample for every built-in architecture, plus the training step."""

from __future__ import annotations

import pytest
import torch

import zoo
from zoo.components.losses import HingeLoss, LeastSquaresLoss, NonSaturatingLoss, WassersteinLoss

ARCHS = zoo.list_models()


def test_seed_architectures_are_registered():
    assert {"gan-mlp-28", "cgan-mlp-28", "dcgan-32", "dcgan-64"} <= set(ARCHS)


@pytest.mark.parametrize("name", ARCHS)
def test_create_and_sample_shape_range_and_determinism(name):
    torch.manual_seed(0)
    model = zoo.create(name)
    info = zoo.info(name)
    texts = ["a red square"] if info["condition"] == "text" else None
    x = model.sample(6, texts=texts, seed=123)
    assert x.shape == (6, info["channels"], info["resolution"], info["resolution"])
    assert x.dtype == torch.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    assert x.std() > 0  # not a constant image
    assert torch.equal(x, model.sample(6, texts=texts, seed=123))
    assert not torch.equal(x, model.sample(6, texts=texts, seed=124))
    assert model.generator.training  # sample() restores the mode it found


@pytest.mark.parametrize("name", [n for n in ARCHS if zoo.info(n)["condition"] == "class"])
def test_class_conditional_labels_change_the_image(name):
    torch.manual_seed(0)
    model = zoo.create(name)
    a = model.sample(4, labels=0, seed=7)
    b = model.sample(4, labels=1, seed=7)  # same noise, other class
    assert (a - b).abs().mean() > 1e-4
    assert torch.equal(a, model.sample(4, labels=[0, 0, 0, 0], seed=7))


def test_sample_rejects_bad_conditions_clearly():
    model = zoo.create("cgan-mlp-28")
    with pytest.raises(
        zoo.ConditionError, match=r"label 10 is out of range: this model has 10 classes \(0\.\.9\)"
    ):
        model.sample(2, labels=[3, 10])
    with pytest.raises(
        zoo.ConditionError, match=r"class-conditional: pass labels=\.\.\., not texts"
    ):
        model.sample(2, texts=["a red square"])
    with pytest.raises(zoo.ConditionError, match="got 3 labels for n=4"):
        model.sample(4, labels=[1, 2, 3])
    with pytest.raises(zoo.ConditionError, match="n must be a positive integer"):
        model.sample(0)
    with pytest.raises(zoo.ConditionError, match="gan-mlp-28 is unconditional: do not pass labels"):
        zoo.create("gan-mlp-28").sample(2, labels=[1, 2])


def test_names_tags_and_pretrained_are_parsed():
    with pytest.raises(
        zoo.UnknownNameError, match="'dcgan-32' has no tag 'mnist'; it has no pretrained tags"
    ):
        zoo.create("dcgan-32.mnist")
    with pytest.raises(zoo.UnknownNameError, match="has no pretrained weights"):
        zoo.create("dcgan-32", pretrained=True)
    with pytest.raises(zoo.UnknownNameError, match="did you mean 'dcgan-32'"):
        zoo.create("dcgan-23")
    with pytest.raises(zoo.UnknownNameError, match="invalid model name"):
        zoo.create("DCGAN 32")


def test_overrides_reach_the_built_networks():
    model = zoo.create("dcgan-32", z_dim=16, generator={"with": {"ch": 8}})
    assert model.generator.net[0].in_channels == 16
    assert model.generator.net[-2].in_channels == 8
    assert model.sample(2, seed=0).shape == (2, 3, 32, 32)


@pytest.mark.parametrize("name", ["gan-mlp-28", "dcgan-64"])
def test_info_counts_parameters_like_the_built_model(name):
    counts = zoo.info(name, params=True)["parameters"]
    model = zoo.create(name)
    assert counts["generator"] == sum(p.numel() for p in model.generator.parameters())
    assert counts["discriminator"] == sum(p.numel() for p in model.discriminator.parameters())
    assert counts["total"] == sum(p.numel() for p in model.parameters())


def test_losses_match_their_definitions():
    real = torch.tensor([2.0, -1.0])
    fake = torch.tensor([0.5, -3.0])
    sp = torch.nn.functional.softplus
    bce = NonSaturatingLoss()
    assert torch.isclose(bce.d_loss(real, fake), sp(-real).mean() + sp(fake).mean())
    assert torch.isclose(bce.g_loss(fake), -torch.log(torch.sigmoid(fake)).mean())
    hinge = HingeLoss()
    # relu(1 - [2, -1]) = [0, 2] -> 1; relu(1 + [0.5, -3]) = [1.5, 0] -> 0.75
    assert torch.isclose(hinge.d_loss(real, fake), torch.tensor(1.75))
    assert torch.isclose(hinge.g_loss(fake), torch.tensor(1.25))
    assert torch.isclose(WassersteinLoss().d_loss(real, fake), torch.tensor(-1.25 - 0.5))
    # 0.5 * mean([1, 4]) + 0.5 * mean([0.25, 9])
    assert torch.isclose(LeastSquaresLoss().d_loss(real, fake), torch.tensor(1.25 + 2.3125))
