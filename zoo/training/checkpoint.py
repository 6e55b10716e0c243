"""Checkpoints that survive interruption.

A checkpoint is a directory ``checkpoints/step-00001000/`` holding ``config.json``, one
safetensors file per network (``generator``, ``ema_generator``, ``discriminator``,
``encoders`` for trainable encoders) and the training state (``training_state.safetensors``
with optimizer and RNG tensors, ``training_state.json`` with the rest). Nothing is pickled.

Writing is atomic: files go to a temporary directory, are fsynced, the directory is renamed
into place, and only then is the ``latest`` pointer replaced (write, fsync, rename). A process
killed at any moment leaves ``latest`` naming a complete checkpoint.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from zoo.errors import ZooError
from zoo.weights import OPTIONAL, REQUIRED, save_tensors, write_weights

STEP_RE = re.compile(r"^step-(\d{8})$")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _flatten_optimizer(name: str, opt: torch.optim.Optimizer) -> tuple[dict, dict]:
    state = opt.state_dict()
    tensors, scalars = {}, {}
    for idx, entries in state["state"].items():
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim/{name}/{idx}/{key}"] = value
            else:
                scalars[f"{idx}/{key}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _unflatten_optimizer(name: str, tensors: dict, meta: dict) -> dict:
    state: dict[int, dict[str, Any]] = {}
    prefix = f"optim/{name}/"
    for key, value in tensors.items():
        if key.startswith(prefix):
            idx, entry = key[len(prefix) :].split("/", 1)
            state.setdefault(int(idx), {})[entry] = value
    for key, value in meta["scalars"].items():
        idx, entry = key.split("/", 1)
        state.setdefault(int(idx), {})[entry] = value
    return {"state": state, "param_groups": meta["param_groups"]}


def save(
    ckpt_dir: Path,
    *,
    step: int,
    config: dict,
    model,
    ema,
    optimizers: dict,
    extra: dict[str, Any],
    keep: int,
) -> Path:
    """Write checkpoint ``step`` under ``ckpt_dir`` atomically; keep the last ``keep``."""
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    final = ckpt_dir / f"step-{step:08d}"
    tmp = ckpt_dir / f".tmp-{final.name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    _write_bytes(tmp / "config.json", json.dumps(config, indent=2, sort_keys=True).encode())
    write_weights(tmp, model, ema.module if ema is not None else None)
    tensors: dict[str, torch.Tensor] = {"rng/cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng/cuda/{i}"] = s
    if ema is not None:
        tensors["ema/n_averaged"] = ema.n_averaged
    meta: dict[str, Any] = {"step": step, "optimizers": {}, **extra}
    for name, opt in optimizers.items():
        t, m = _flatten_optimizer(name, opt)
        tensors.update(t)
        meta["optimizers"][name] = m
    save_tensors(tmp / "training_state.safetensors", tensors)
    _write_bytes(tmp / "training_state.json", json.dumps(meta, indent=2).encode())
    _fsync_dir(tmp)
    if final.exists():  # never replace a complete checkpoint: latest may point at it
        shutil.rmtree(tmp)
        raise ZooError(f"checkpoint {final} already exists")
    os.replace(tmp, final)
    _fsync_dir(ckpt_dir)
    pointer = ckpt_dir / f".latest-{os.getpid()}"
    _write_bytes(pointer, final.name.encode())
    os.replace(pointer, ckpt_dir / "latest")
    _fsync_dir(ckpt_dir)
    _prune(ckpt_dir, keep, final.name)
    return final


def _prune(ckpt_dir: Path, keep: int, latest: str) -> None:
    steps = sorted(p for p in ckpt_dir.iterdir() if STEP_RE.match(p.name))
    for old in steps[: max(len(steps) - keep, 0)]:
        if old.name != latest:
            shutil.rmtree(old, ignore_errors=True)


def clean_partial(ckpt_dir: Path) -> list[Path]:
    """Remove what an interrupted write left behind: temporary files, and complete step
    directories newer than ``latest`` (killed before the pointer moved). Returns them."""
    if not ckpt_dir.is_dir():
        return []
    latest = (ckpt_dir / "latest").read_text().strip() if (ckpt_dir / "latest").is_file() else ""
    removed = []
    for p in ckpt_dir.iterdir():
        orphan = STEP_RE.match(p.name) and p.name > latest
        if p.name.startswith((".tmp-", ".latest-")) or orphan:
            shutil.rmtree(p) if p.is_dir() else p.unlink()
            removed.append(p)
    return removed


def find(path: str | Path) -> Path:
    """A checkpoint directory from a run dir, a ``checkpoints`` dir or a step dir."""
    path = Path(path).expanduser()
    for candidate in (path, path / "checkpoints"):
        if (candidate / "latest").is_file():
            return candidate / (candidate / "latest").read_text().strip()
    if (path / "config.json").is_file() and (path / "generator.safetensors").is_file():
        return path
    raise ZooError(
        f"no checkpoint at {path} (expected a run directory, its checkpoints/ or a step-* "
        "directory)"
    )


def read_config(ckpt: Path) -> dict[str, Any]:
    return json.loads((ckpt / "config.json").read_text())


def weight_files(ckpt: Path) -> dict[str, Path]:
    """The weight files present in a checkpoint directory, by name."""
    return {n: ckpt / n for n in REQUIRED + OPTIONAL if (ckpt / n).is_file()}


def load_weights(ckpt: Path, model) -> None:
    """Load the networks' weights (strict key matching), the EMA into ``model.ema_generator``."""
    from zoo import weights

    weights.load_weights(model, weight_files(ckpt), str(ckpt))


def load_training_state(ckpt: Path, ema, optimizers: dict) -> dict[str, Any]:
    """Restore optimizers, EMA count and RNG; returns the JSON part (step, data position...)."""
    tensors = load_file(str(ckpt / "training_state.safetensors"))
    meta = json.loads((ckpt / "training_state.json").read_text())
    for name, opt in optimizers.items():
        opt.load_state_dict(_unflatten_optimizer(name, tensors, meta["optimizers"][name]))
    if ema is not None and "ema/n_averaged" in tensors:
        ema.n_averaged.copy_(tensors["ema/n_averaged"])
    torch.set_rng_state(tensors["rng/cpu"])
    cuda = [tensors[k] for k in sorted(tensors) if k.startswith("rng/cuda/")]
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    return meta


def load_model(path: str | Path):
    """Rebuild the model a checkpoint holds (config.json) and load its weights.

    The EMA generator, when saved, becomes ``model.ema_generator`` (what ``sample`` uses).
    Same as ``zoo.create("local-dir:PATH")``.
    """
    from zoo.hub.load import load_local

    return load_local(path)
