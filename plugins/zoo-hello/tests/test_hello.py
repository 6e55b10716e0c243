"""zoo-hello's own tests: what every plugin should check against an installed zoo."""

from __future__ import annotations

import itertools

import torch

import zoo
from zoo.components.objectives import Batch
from zoo.factory import build_objective


def test_the_plugin_loaded():
    record = next(p for p in zoo.list_plugins() if p["distribution"] == "zoo-hello")
    assert record["status"] == "loaded", record["error"]
    names = {(c.kind, c.name): c for c in zoo.list_components()}
    assert names[("generator", "hello.tiny")].origin.distribution == "zoo-hello"
    assert {"hello-tiny-16", "hello-cgan-16"} <= set(zoo.list_models("hello-*"))


def test_architectures_validate_build_and_sample():
    for name in ("hello-tiny-16", "hello-cgan-16"):
        model = zoo.create(name)
        images = model.sample(4, seed=0)
        assert images.shape == (4, 3, 16, 16)
        assert images.min() >= -1 and images.max() <= 1


def test_one_training_step_moves_both_networks():
    torch.manual_seed(0)
    model = zoo.create("hello-cgan-16")
    objective = build_objective(model.config)
    optimizers = {
        k: torch.optim.Adam(v, lr=1e-3) for k, v in objective.parameter_groups(model).items()
    }
    before = [p.detach().clone() for p in model.parameters()]
    batch = Batch(torch.rand(8, 3, 16, 16) * 2 - 1, labels=torch.arange(8))
    logs = objective.step(model, itertools.repeat(batch), optimizers)
    assert torch.isfinite(torch.tensor(list(logs.values()))).all()
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
