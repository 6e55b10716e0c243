"""Datasets: shapes is deterministic and honest about its attributes; files load offline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import zoo
from zoo.data import collate, fit_image, open_dataset
from zoo.data.shapes import COLORS, ShapesDataset, attributes

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def test_shapes_is_a_pure_function_of_seed_and_index():
    a, b = ShapesDataset(10, seed=0, resolution=32), ShapesDataset(10, seed=0, resolution=32)
    assert torch.equal(a[3]["image"], b[3]["image"])
    assert a[3]["caption"] == b[3]["caption"]
    other = ShapesDataset(10, seed=1, resolution=32)
    assert any(not torch.equal(a[i]["image"], other[i]["image"]) for i in range(10))
    assert a[0]["image"].dtype == torch.uint8 and a[0]["image"].shape == (3, 32, 32)
    held_out = ShapesDataset(5, seed=0, resolution=32, offset=10**6)
    assert held_out[0]["attributes"] == attributes(0, 10**6).__dict__


def test_shapes_images_show_their_attributes():
    ds = ShapesDataset(40, resolution=48)
    for i in range(40):
        item = ds[i]
        attrs = item["attributes"]
        rgb = np.asarray(item["image"].permute(1, 2, 0), dtype=np.int32)
        target = np.array(COLORS[attrs["color"]])
        painted = (np.abs(rgb - target).sum(-1) < 40).mean()
        assert painted > 0.005, (i, attrs)  # the named color is really there
        words = item["caption"].split()
        assert attrs["color"] in words and attrs["size"] in words
        assert any(w.startswith(attrs["shape"]) for w in words)
        assert item["label"] == ds.class_names.index(f"{attrs['color']} {attrs['shape']}")


def test_mnist_test_split_loads_offline_from_a_plain_folder():
    if not MNIST.is_dir():
        pytest.skip("the shared MNIST folder is not next to this checkout")
    ds = open_dataset(f"mnist:{MNIST}", 28, 1)
    assert len(ds) == 10_000 and ds.num_classes == 10 and ds.dataset.split == "test"
    item = ds[0]
    assert item["image"].shape == (1, 28, 28) and item["label"] == 7
    assert item["image"].min() >= -1.0 and item["image"].max() <= 1.0
    rgb = open_dataset(f"mnist:{MNIST}", 32, 3)[0]["image"]
    assert rgb.shape == (3, 32, 32) and torch.equal(rgb[0], rgb[1])  # grayscale expanded


def test_imagefolder_classes_and_captions(tmp_path):
    for cls, color in (("cats", (255, 0, 0)), ("dogs", (0, 0, 255))):
        (tmp_path / "folder" / cls).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (40, 30), color).save(tmp_path / "folder" / cls / f"{i}.png")
    ds = open_dataset(f"imagefolder:{tmp_path / 'folder'}", 16, 3)
    assert len(ds) == 6 and ds.num_classes == 2 and ds.class_names == ["cats", "dogs"]
    batch = collate([ds[0], ds[5]])
    assert batch.images.shape == (2, 3, 16, 16) and batch.labels.tolist() == [0, 1]
    assert batch.images[0, 0].mean() > 0.9 and batch.images[1, 2].mean() > 0.9

    cap = tmp_path / "cap"
    cap.mkdir()
    Image.new("L", (20, 20), 128).save(cap / "a.png")
    (cap / "captions.jsonl").write_text(
        json.dumps({"file": "a.png", "caption": "a gray square"}) + "\n"
    )
    item = open_dataset(f"captions:{cap}", 8, 3)[0]
    assert item["caption"] == "a gray square" and item["image"].shape == (3, 8, 8)

    (cap / "captions.jsonl").write_text('{"file": "missing.png", "caption": "x"}\n')
    with pytest.raises(zoo.ZooError, match=r"captions.jsonl:1: .*missing.png does not exist"):
        open_dataset(f"captions:{cap}", 8, 3)


def test_bad_data_specs_are_clear(tmp_path):
    with pytest.raises(zoo.UnknownNameError, match="did you mean 'shapes'"):
        open_dataset("shaps", 32, 3)
    with pytest.raises(zoo.ValidationError, match="size: expected int, got 'many'"):
        open_dataset("shapes:many", 32, 3)
    with pytest.raises(zoo.ZooError, match="no MNIST IDX files"):
        open_dataset(f"mnist:{tmp_path}", 28, 1)
    with pytest.raises(zoo.ZooError, match="is not a directory"):
        open_dataset(f"imagefolder:{tmp_path / 'nope'}", 28, 1)


def test_fit_image_converts_channels_and_size():
    rgb = torch.zeros(3, 10, 20, dtype=torch.uint8)
    rgb[0] = 255
    gray = fit_image(rgb, 8, 1)
    assert gray.shape == (1, 8, 8)
    assert gray.mean().item() == pytest.approx(0.299 * 2 - 1, abs=0.02)  # luminance of red
    with pytest.raises(zoo.ZooError, match="cannot turn 2-channel images"):
        fit_image(torch.zeros(2, 4, 4, dtype=torch.uint8), 4, 3)
