"""Every architecture trains for a step, and each component does what its paper says."""

from __future__ import annotations

import itertools

import pytest
import torch
from torch.nn import functional as F

import zoo
from zoo.components.attention import CrossAttention2d, SelfAttention2d
from zoo.components.objectives import Batch
from zoo.components.regularizers import DiffAugment, GradientPenalty
from zoo.components.resnet import ResNetDiscriminator
from zoo.condition import Condition
from zoo.factory import build_objective

CAPTIONS = [
    "a small red square",
    "two big blue circles at the top",
    "a green triangle",
    "three yellow stars on the left",
]


def _batch(config, n=4):
    shape = (n, config["channels"], config["resolution"], config["resolution"])
    images = torch.rand(shape) * 2 - 1
    if config["condition"] == "class":
        return Batch(images, labels=torch.arange(n) % config["num_classes"])
    if config["condition"] == "text":
        return Batch(images, texts=CAPTIONS[:n])
    return Batch(images)


def _condition_pair(config):
    if config["condition"] == "class":
        return {"labels": 0}, {"labels": 1}
    if config["condition"] == "text":
        return {"texts": "a small red square"}, {"texts": "three yellow stars on the left"}
    return None


@pytest.fixture(scope="module")
def models():
    """Each architecture built once (the text models load a real MiniLM)."""
    cache = {}

    def get(name):
        if name not in cache:
            torch.manual_seed(0)
            cache[name] = zoo.create(name)
        return cache[name]

    return get


@pytest.mark.parametrize("name", zoo.list_models())
def test_every_architecture_takes_a_full_objective_step(name, models):
    model = models(name)
    config = model.config
    objective = build_objective(config)
    groups = objective.parameter_groups(model)
    optimizers = {k: torch.optim.Adam(v, lr=1e-3) for k, v in groups.items()}
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    batches = itertools.repeat(_batch(config))

    # Two steps: zero-initialised attention gates (SAGAN's gamma) pass no gradient to the
    # attention weights until the first update has moved them.
    for _ in range(2):
        logs = objective.step(model, batches, optimizers, n_dis=config["train"]["n_dis"])
    assert all(torch.isfinite(torch.tensor(v)) for v in logs.values()), logs

    trainable = [p for ps in groups.values() for p in ps]
    assert {id(p) for p in trainable} == {id(p) for p in model.parameters() if p.requires_grad}
    for pname, p in model.named_parameters():
        if p.requires_grad:
            assert p.grad is not None, f"{pname} got no gradient"
            assert torch.isfinite(p.grad).all(), f"{pname} has a non-finite gradient"
            assert p.grad.abs().sum() > 0, f"{pname} has an all-zero gradient"
    for pname, before in frozen.items():
        assert torch.equal(before, dict(model.named_parameters())[pname]), f"frozen {pname} changed"

    pair = _condition_pair(config)
    x = model.sample(3, seed=0, **(pair[0] if pair else {}))
    assert x.shape == (3, config["channels"], config["resolution"], config["resolution"])
    assert x.min() >= -1 and x.max() <= 1
    if pair:
        y = model.sample(3, seed=0, **pair[1])  # same noise, other condition
        assert (x - y).abs().mean() > 1e-5


def test_text_encoder_is_frozen_by_default_and_real(models):
    model = models("cgan-attn-64")
    encoder = model.encoders["text"]
    assert not any(p.requires_grad for p in encoder.parameters())
    cond = encoder(["a red square", "two small blue circles at the top"])
    assert cond.vector.shape == (2, 384)
    assert cond.tokens.shape[0] == 2 and cond.tokens.shape[2] == 384
    assert cond.mask[0].sum() < cond.mask[1].sum()  # the shorter caption is padded
    similar = F.cosine_similarity(*encoder(["a red square", "a red box"]).vector[None].unbind(1))
    different = F.cosine_similarity(
        *encoder(["a red square", "the stock market fell"]).vector[None].unbind(1)
    )
    assert similar > different  # a real sentence encoder, not random features


def test_spectral_norm_makes_the_largest_singular_value_one():
    torch.manual_seed(0)
    D = ResNetDiscriminator(32, 3, ch=16).train()
    x = torch.randn(2, 3, 32, 32)
    for _ in range(50):  # each training-mode forward runs one power iteration
        D(x)
    checked = 0
    for module in D.modules():
        if hasattr(module, "parametrizations") and hasattr(module.parametrizations, "weight"):
            w = module.weight.detach().flatten(1)
            sigma = torch.linalg.matrix_norm(w, ord=2)
            assert sigma == pytest.approx(1.0, abs=0.02), type(module).__name__
            checked += 1
    assert checked >= 8


def test_gradient_penalty_is_on_interpolates_and_matches_a_hand_computation():
    w = torch.nn.Parameter(torch.tensor([[[[3.0, 4.0]]]]))  # ||w|| = 5

    def linear_critic(x, cond=None):  # grad of D at any x is w
        return (x * w).sum(dim=(1, 2, 3))

    real, fake = torch.randn(3, 1, 1, 2), torch.randn(3, 1, 1, 2)
    penalty = GradientPenalty(weight=10.0).d_penalty(linear_critic, real, fake, None)
    assert penalty.item() == pytest.approx(10.0 * (5.0 - 1.0) ** 2)
    penalty.backward()  # the penalty is differentiable w.r.t. D's parameters
    assert torch.allclose(w.grad, 10.0 * 2 * (5.0 - 1.0) * w.detach() / 5.0)

    def quadratic_critic(x, cond=None):  # grad at x is x: the norm reveals where it was taken
        return 0.5 * (x**2).sum(dim=(1, 2, 3))

    torch.manual_seed(1)
    penalty = GradientPenalty(weight=2.0).d_penalty(quadratic_critic, real, fake, None)
    torch.manual_seed(1)
    eps = torch.rand(3, 1, 1, 1)
    x_hat = eps * real + (1 - eps) * fake
    expected = 2.0 * ((x_hat.flatten(1).norm(dim=1) - 1) ** 2).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)


def test_projection_changes_the_logit_exactly_through_the_inner_product():
    torch.manual_seed(0)
    D = ResNetDiscriminator(32, 3, cond_dim=10, ch=16, cond="projection").eval()
    x = torch.randn(2, 3, 32, 32)
    c1 = Condition(F.one_hot(torch.tensor([3, 3]), 10).float())
    c2 = Condition(F.one_hot(torch.tensor([7, 7]), 10).float())
    l1, h1 = D(x, c1, return_features=True)
    l2, h2 = D(x, c2, return_features=True)
    assert torch.equal(h1, h2)  # features do not see the class
    inner = ((D.embed(c1.vector) - D.embed(c2.vector)) * h1).sum(dim=1)
    assert torch.allclose(l1 - l2, inner, atol=1e-4)
    assert (l1 - l2).abs().min() > 0


def test_self_attention_shapes_and_normalised_weights():
    attn = SelfAttention2d(32)
    x = torch.randn(2, 32, 8, 8)
    y, weights = attn(x, return_weights=True)
    assert y.shape == x.shape and weights.shape == (2, 64, 64)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 64))
    assert torch.equal(y, x)  # gamma starts at 0
    attn.gamma.data.fill_(1.0)
    assert not torch.equal(attn(x), x)


def test_cross_attention_gives_padded_tokens_zero_weight():
    attn = CrossAttention2d(16, token_dim=12)
    x = torch.randn(2, 16, 4, 4)
    tokens = torch.randn(2, 5, 12)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    attn.gamma.data.fill_(1.0)
    y, weights = attn(x, tokens, mask, return_weights=True)
    assert y.shape == x.shape and weights.shape == (2, 16, 5)
    assert torch.all(weights[0, :, 2:] == 0)
    assert torch.all(weights[0, :, :2] > 0) and torch.all(weights[1] > 0)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 16))
    padded_changed = tokens.clone()
    padded_changed[0, 2:] = 100.0  # whatever sits in padding must not matter
    assert torch.allclose(attn(x, padded_changed, mask)[0], y[0], atol=1e-6)


def test_diffaugment_changes_images_and_keeps_gradients():
    torch.manual_seed(0)
    x = (torch.rand(4, 3, 16, 16) * 2 - 1).requires_grad_(True)
    cut = DiffAugment("cutout", cutout=0.5).augment(x)
    zeroed = (cut == 0).float().mean().item()
    assert 0.05 < zeroed <= 0.25 + 1e-6  # a square of half the side, clipped at the border
    moved = DiffAugment("translation").augment(x)
    assert moved.shape == x.shape and not torch.equal(moved, x)
    DiffAugment().augment(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="unknown DiffAugment policy 'flip'"):
        DiffAugment("color,flip")


class _NoBuild:
    def __call__(self, *args, **kwargs):
        raise AssertionError("a component was constructed before validation finished")


@pytest.mark.parametrize(
    "name, overrides, message",
    [
        (
            "sngan-32",
            {"generator": {"with": {"z_dim": 64}}},
            "generator takes z of size 64, but z_dim is 128",
        ),
        (
            "sngan-32",
            {"discriminator": {"with": {"resolution": 64}}},
            "generator outputs [3, 32, 32] images but discriminator expects [3, 64, 64]",
        ),
        (
            "cgan-attn-64",
            {"generator": {"with": {"cond_dim": 256}}},
            "generator expects a condition of size 256, but encoders.text produces 384",
        ),
        (
            "sngan-32",
            {"discriminator": {"with": {"cond_dim": 10}}},
            "discriminator expects a condition of size 10, but the architecture is unconditional",
        ),
        (
            "sagan-64",
            {"generator": {"with": {"cond_dim": None}}},
            "generator is unconditional, but the architecture is class-conditional",
        ),
        (
            "vaegan-64",
            {"z_dim": 64},
            "a latent encoder must produce 2 * z_dim = 128 values (mean and log-variance), got 256",
        ),
        ("dcgan-32", {"objective": "vaegan"}, "objective 'vaegan' needs encoders.latent"),
    ],
)
def test_composition_errors_are_caught_before_construction(monkeypatch, name, overrides, message):
    monkeypatch.setattr("zoo.factory.load_target", _NoBuild())
    with pytest.raises(zoo.ValidationError) as info:
        zoo.create(name, **overrides)
    assert message in str(info.value)


def test_text_encoder_of_the_wrong_size_is_named_at_build():
    with pytest.raises(
        zoo.ZooError,
        match=r"encoder 'hf-text': text model .* produces 384-d features; set dim: 384",
    ):
        zoo.create("cgan-text-mlp-64", encoders={"text": {"with": {"dim": 256}}})


def test_text_models_reject_bad_inputs_clearly(models):
    model = models("cgan-text-mlp-64")
    with pytest.raises(
        zoo.ConditionError, match=r"text-conditional: pass texts=\.\.\., not labels"
    ):
        model.sample(2, labels=[1, 2])
    with pytest.raises(zoo.ConditionError, match="text-conditional: pass texts="):
        model.sample(2)
    with pytest.raises(zoo.ConditionError, match="got 3 texts for n=2"):
        model.sample(2, texts=["a", "b", "c"])
    with pytest.raises(zoo.ConditionError, match="texts must be a list of strings"):
        model.sample(2, texts=[1, 2])


def test_trainable_text_encoder_learns_with_the_discriminator():
    torch.manual_seed(0)
    model = zoo.create(
        "cgan-attn-64",
        encoders={"text": {"use": "text-small", "with": {"dim": 64}}},
        generator={"with": {"ch": 16}},
        discriminator={"with": {"ch": 16}},
    )
    assert model.config["generator"]["with"]["cond_dim"] == 64  # the size follows the encoder
    objective = build_objective(model.config)
    groups = objective.parameter_groups(model)
    encoder_params = list(model.encoders["text"].parameters())
    assert {id(p) for p in encoder_params} <= {id(p) for p in groups["d"]}
    optimizers = {k: torch.optim.Adam(v, lr=1e-3) for k, v in groups.items()}
    before = [p.detach().clone() for p in encoder_params]
    objective.step(model, itertools.repeat(_batch(model.config)), optimizers)
    assert all(not torch.equal(a, b) for a, b in zip(before, encoder_params, strict=True))
    ids, mask = model.encoders["text"].tokenize(["A red square", "a red  square!", ""])
    assert torch.equal(ids[0], ids[1]) and mask[2].sum() == 1  # stable, case- and punctuation-free
