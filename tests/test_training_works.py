"""Evidence that training learns, not only that it runs: a class-conditional GAN trained
briefly on shapes draws the requested class far more often than chance; untrained, it does not."""

from __future__ import annotations

import torch
from torch import nn

import zoo
from zoo.data.shapes import ShapesDataset
from zoo.training.checkpoint import load_model
from zoo.training.trainer import TrainOptions, train

RES = 16
NETS = {"generator": {"with": {"ch": 32}}, "discriminator": {"with": {"ch": 32}}}


def _shapes_classifier() -> tuple[nn.Module, float]:
    """A small CNN trained on held-out shapes indices; returns it and its held-out accuracy."""
    torch.manual_seed(0)
    ds = ShapesDataset(3000, resolution=RES, offset=10**6)  # indices no GAN run trains on
    x = torch.stack([ds[i]["image"] for i in range(len(ds))]).float() / 127.5 - 1
    y = torch.tensor([ds[i]["label"] for i in range(len(ds))])
    clf = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * (RES // 4) ** 2, ds.num_classes),
    )
    opt = torch.optim.Adam(clf.parameters(), 2e-3)
    for _ in range(15):
        perm = torch.randperm(2500)
        for b in range(0, 2500, 64):
            idx = perm[b : b + 64]
            loss = nn.functional.cross_entropy(clf(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    clf.eval()
    with torch.no_grad():
        accuracy = (clf(x[2500:]).argmax(1) == y[2500:]).float().mean().item()
    return clf, accuracy


def _class_accuracy(model, clf) -> float:
    labels = torch.arange(240) % 12
    with torch.no_grad():
        return (
            (clf(model.sample(240, labels=labels, seed=1)).argmax(1) == labels)
            .float()
            .mean()
            .item()
        )


def test_trained_conditional_gan_obeys_its_class(tmp_path):
    clf, clf_accuracy = _shapes_classifier()
    assert clf_accuracy > 0.9

    untrained = zoo.create("cdcgan-32", resolution=RES, num_classes=12, **NETS)
    last = train(
        TrainOptions(
            "cdcgan-32",
            data="shapes:4000",
            out=tmp_path / "run",
            steps=1500,
            batch_size=32,
            ema=0.0,
            progress=False,
            sample_every=10**6,
            ckpt_every=10**6,
            overrides={"resolution": RES, **NETS},
        )
    )
    chance = 1 / 12
    before = _class_accuracy(untrained, clf)
    after = _class_accuracy(load_model(last), clf)
    assert before < 2 * chance, before
    assert after > 3 * chance, after
