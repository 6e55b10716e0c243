"""Pictures of a run: sample grids and training curves."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import torch


def save_grid(images: torch.Tensor, path: Path, nrow: int | None = None) -> Path:
    """``images [N, C, H, W]`` in [-1, 1] -> one PNG grid (written atomically)."""
    from torchvision.utils import save_image

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    nrow = nrow or max(1, int(math.sqrt(len(images))))
    save_image(images.float().cpu() * 0.5 + 0.5, str(tmp), nrow=nrow, padding=2, pad_value=1.0)
    tmp.replace(path)
    return path


def plot_curves(metrics_csv: Path, path: Path) -> Path:
    """Loss curves from ``metrics.csv`` as a PNG (matplotlib, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with metrics_csv.open() as f:
        rows = list(csv.DictReader(f))
    keys = [k for k in rows[0] if k.endswith("_loss") or k in ("kl", "rec")] if rows else []
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=120)
    steps = [int(r["step"]) for r in rows]
    for key in keys:
        ax.plot(steps, [float(r[key]) if r.get(key) else math.nan for r in rows], label=key)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    if keys:
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
