"""Train the domain feature extractors and write their weights into the package.

    python benchmarks/train_extractors.py [--only shapes|mnist] [--mnist ../shared/data/mnist]

``classifier-shapes``: trained on 30,000 rendered ``shapes`` images (seed 0, indices 0..29,999,
each drawn at a random resolution in {16, 24, 32, 48, 64} and resized to 32x32); held-out
check on fresh indices (from 10**6).
``lenet-mnist``: trained on the first 8,000 images of the MNIST test split with +-2 px shifts
(the only MNIST split on this project's machines); held-out check on the last 2,000.

Writes ``zoo/evaluation/weights/NAME.safetensors`` and prints each file's sha256, to be put in
``zoo/evaluation/extractors.py`` (``WEIGHTS``). Deterministic on a given machine (seeded).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zoo.evaluation import classifiers as C  # noqa: E402
from zoo.weights import save_tensors, sha256_file  # noqa: E402

OUT = ROOT / "zoo" / "evaluation" / "weights"


def train_shapes() -> Path:
    torch.manual_seed(0)
    x, y = C.shapes_batch(0, 0, 30_000)
    net = C.fit(C.ShapesNet(), x, y, epochs=8, batch_size=128, lr=3e-3)
    hx, hy = C.shapes_batch(0, 10**6, 4000)
    print("held-out accuracy (fresh shapes indices):", C.accuracy(net, hx, hy))
    return _write(net, "classifier-shapes")


def train_mnist(root: Path) -> Path:
    from zoo.data.vision import mnist

    torch.manual_seed(0)
    data = mnist(str(root))
    x = C.prepare(data.images, 28, 1)
    y = {"label": data.labels}
    train_x, train_y = x[:8000], {"label": y["label"][:8000]}
    test_x, test_y = x[8000:], {"label": y["label"][8000:]}
    net = C.fit(
        C.LeNet(), train_x, train_y, epochs=30, batch_size=64, lr=3e-3, augment=C.shift_augment
    )
    print("held-out accuracy (MNIST test 8000..9999):", C.accuracy(net, test_x, test_y))
    return _write(net, "lenet-mnist")


def _write(net: torch.nn.Module, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.safetensors"
    save_tensors(path, net.state_dict())
    print(f"{name}: {path} sha256 {sha256_file(path)}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["shapes", "mnist"])
    parser.add_argument("--mnist", type=Path, default=ROOT.parent / "shared" / "data" / "mnist")
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    if args.only in (None, "mnist"):
        train_mnist(args.mnist)
    if args.only in (None, "shapes"):
        train_shapes()


if __name__ == "__main__":
    main()
