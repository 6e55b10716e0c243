"""Small domain classifiers: the networks behind the ``classifier-shapes`` and ``lenet-mnist``
feature extractors, and the code that trains them (``benchmarks/train_extractors.py`` runs it).

Both take uint8 images ``[B, 3, H, W]`` of any size (what torch-fidelity feeds a feature
extractor), resize them to 32x32 (28x28 for LeNet), and return a feature vector plus logits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from zoo.data.shapes import COLORS, COUNTS, POSITIONS, SHAPES, SIZES

#: The heads of the shapes classifier and how many values each predicts.
SHAPES_HEADS = {
    "label": len(SHAPES) * len(COLORS),
    "shape": len(SHAPES),
    "color": len(COLORS),
    "size": len(SIZES),
    "count": len(COUNTS),
    "position": len(POSITIONS),
}


class ShapesNet(nn.Module):
    """A 4-block CNN on 32x32 RGB with one head per attribute; ``features`` is 256-d."""

    input_size = 32

    def __init__(self, width: int = 16):
        super().__init__()
        w = width
        layers: list[nn.Module] = []
        for cin, cout in ((3, w), (w, 2 * w), (2 * w, 4 * w), (4 * w, 8 * w)):
            layers += [
                nn.Conv2d(cin, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(inplace=True),
                nn.Conv2d(cout, cout, 3, padding=1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
        self.body = nn.Sequential(*layers)  # 32 -> 2
        self.features = nn.Linear(8 * w * 4, 256)
        self.heads = nn.ModuleDict({k: nn.Linear(256, n) for k, n in SHAPES_HEADS.items()})

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """``x`` float in [-1, 1], ``[B, 3, 32, 32]`` -> (features, {head: logits})."""
        f = F.relu(self.features(self.body(x).flatten(1)))
        return f, {k: head(f) for k, head in self.heads.items()}


class LeNet(nn.Module):
    """LeNet-5 (LeCun et al. 1998) with ReLU and max-pooling, on 28x28 grayscale."""

    input_size = 28

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.heads = nn.ModuleDict({"label": nn.Linear(84, 10)})

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        f = F.relu(self.fc2(x))
        return f, {"label": self.heads["label"](f)}


def prepare(images: torch.Tensor, size: int, channels: int) -> torch.Tensor:
    """uint8 ``[B, C, H, W]`` -> float ``[B, channels, size, size]`` in [-1, 1]."""
    x = images.float()
    if x.shape[1] == 3 and channels == 1:
        x = x.mean(1, keepdim=True)
    elif x.shape[1] == 1 and channels == 3:
        x = x.expand(-1, 3, -1, -1)
    if x.shape[-1] != size or x.shape[-2] != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True)
    return x / 127.5 - 1.0


# -- training --------------------------------------------------------------------------------


def _render_one(args: tuple[int, int, int]) -> tuple[np.ndarray, dict[str, int]]:
    """Render one image (numpy only: safe in a forked worker, no torch threads)."""
    from zoo.data.shapes import attributes, render

    seed, i, res = args
    a = attributes(seed, i)
    values = {
        "label": a.label,
        "shape": SHAPES.index(a.shape),
        "color": list(COLORS).index(a.color),
        "size": list(SIZES).index(a.size),
        "count": a.count - 1,
        "position": POSITIONS.index(a.position),
    }
    return np.asarray(render(a, res)).copy(), values


def shapes_batch(seed: int, start: int, n: int, resolutions=(16, 24, 32, 48, 64), workers=None):
    """Rendered shapes (float [n, 3, 32, 32] in [-1, 1]; each drawn at a random resolution,
    resized to 32 as the extractor resizes generated images) and their attribute targets."""
    import multiprocessing as mp

    rng = np.random.default_rng([seed, start])
    jobs = [(seed, i, int(rng.choice(resolutions))) for i in range(start, start + n)]
    workers = workers or mp.cpu_count()
    if workers > 1 and n >= 1000:
        with mp.get_context("spawn").Pool(workers) as pool:
            done = pool.map(_render_one, jobs, chunksize=256)
    else:
        done = [_render_one(j) for j in jobs]
    images = torch.empty(n, 3, 32, 32)
    for res in resolutions:  # resize in batches of one resolution
        idx = [k for k, job in enumerate(jobs) if job[2] == res]
        if idx:
            batch = torch.from_numpy(np.stack([done[k][0] for k in idx])).permute(0, 3, 1, 2)
            images[idx] = prepare(batch, 32, 3)
    targets = {k: torch.tensor([d[1][k] for d in done]) for k in SHAPES_HEADS}
    return images, targets


def fit(
    net: nn.Module,
    x: torch.Tensor,
    y: dict[str, torch.Tensor],
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 2e-3,
    augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> nn.Module:
    """Adam with a cosine schedule and a summed cross-entropy over the heads."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    steps = epochs * math.ceil(len(x) / batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    net.train()
    start = time.time()
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), batch_size):
            idx = order[i : i + batch_size]
            xb = x[idx] if augment is None else augment(x[idx], gen)
            _, logits = net(xb)
            loss = sum(F.cross_entropy(logits[k], y[k][idx]) for k in logits)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(x):.4f} ({time.time() - start:.0f} s)")
    return net.eval()


def shift_augment(x: torch.Tensor, gen: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Random translations by up to ``max_shift`` pixels (padding with the background)."""
    pad = F.pad(x, (max_shift,) * 4, value=-1.0)
    out = torch.empty_like(x)
    h, w = x.shape[-2:]
    shifts = torch.randint(0, 2 * max_shift + 1, (len(x), 2), generator=gen)
    for i, (dy, dx) in enumerate(shifts.tolist()):
        out[i] = pad[i, :, dy : dy + h, dx : dx + w]
    return out


@torch.no_grad()
def accuracy(net: nn.Module, x: torch.Tensor, y: dict[str, torch.Tensor]) -> dict[str, float]:
    """Per-head accuracy on prepared inputs."""
    net.eval()
    hits = {k: 0 for k in y}
    for i in range(0, len(x), 512):
        _, logits = net(x[i : i + 512])
        for k in y:
            hits[k] += int((logits[k].argmax(1) == y[k][i : i + 512]).sum())
    return {k: hits[k] / len(x) for k in y}
