"""Weight files: one safetensors file per network, verified and loaded with strict keys.

The same files make a training checkpoint, a ``save_pretrained`` directory and a Hub repo:

- ``generator.safetensors``, ``discriminator.safetensors`` (always);
- ``ema_generator.safetensors`` (when the model has an EMA generator);
- ``encoders.safetensors`` (trainable encoders only, keys ``KIND.PARAM``; a frozen pretrained
  encoder reloads from its own source).

Nothing is ever unpickled: ``safetensors`` reads tensors only.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from zoo.errors import ZooError

REQUIRED = ("generator.safetensors", "discriminator.safetensors")
OPTIONAL = ("ema_generator.safetensors", "encoders.safetensors")


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    """Write a safetensors file and fsync it."""
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(path))
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def trainable_encoder_state(model: Any) -> dict[str, torch.Tensor]:
    """State of the encoders that train (a frozen pretrained encoder reloads from its source)."""
    out = {}
    for kind, enc in model.encoders.items():
        if any(p.requires_grad for p in enc.parameters()):
            out.update({f"{kind}.{k}": v for k, v in enc.state_dict().items()})
    return out


def write_weights(directory: Path, model: Any, ema: torch.nn.Module | None) -> dict[str, str]:
    """Write the weight files of ``model`` (and ``ema``, the EMA generator) into ``directory``.

    Returns ``{file name: sha256}`` of what was written.
    """
    states = {
        "generator.safetensors": model.generator.state_dict(),
        "discriminator.safetensors": model.discriminator.state_dict(),
    }
    if ema is not None:
        states["ema_generator.safetensors"] = ema.state_dict()
    encoders = trainable_encoder_state(model)
    if encoders:
        states["encoders.safetensors"] = encoders
    for name, state in states.items():
        save_tensors(directory / name, state)
    return {name: sha256_file(directory / name) for name in states}


def verify(files: dict[str, Path], expected: dict[str, str], source: str) -> dict[str, str]:
    """Check each file against its expected sha256 before anything reads it.

    Returns:
        ``{file name: sha256}`` of every file in ``files``.

    Raises:
        ZooError: a file named in ``expected`` is missing or its hash differs (the file is
            not used).
    """
    for name in expected:
        if name not in files:
            raise ZooError(
                f"{source}: {name} is listed with a sha256 but the repo has no such file"
            )
    hashes = {name: sha256_file(path) for name, path in files.items()}
    for name, want in expected.items():
        if hashes[name] != str(want).lower():
            raise ZooError(
                f"{source}: checksum mismatch for {name} (expected sha256 {want}, got "
                f"{hashes[name]}); the file was not loaded. If the weights were updated on "
                "purpose, update the sha256 in the registry tag; otherwise delete the cached "
                "file and download again"
            )
    return hashes


def _load_into(module: torch.nn.Module, state: dict[str, torch.Tensor], what: str) -> None:
    expected = set(module.state_dict())
    missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing keys {missing[:5]}{' ...' if len(missing) > 5 else ''}")
        if unexpected:
            more = " ..." if len(unexpected) > 5 else ""
            parts.append(f"unexpected keys {unexpected[:5]}{more}")
        raise ZooError(
            f"{what} does not fit the architecture in config.json: {'; '.join(parts)} "
            "(was it saved by a different version of the component?)"
        )
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as exc:  # shape mismatches
        detail = str(exc).splitlines()[-1].strip()
        raise ZooError(f"{what} does not fit the architecture in config.json: {detail}") from None


def load_weights(model: Any, files: dict[str, Path], source: str) -> None:
    """Load weight files (``{file name: path}``) into ``model`` with strict key matching.

    The EMA generator goes to ``model.ema_generator`` (created as a copy of the generator when
    the model has none yet).
    """
    import copy

    for name in REQUIRED:
        if name not in files:
            raise ZooError(f"{source}: {name} is missing")
    _load_into(model.generator, load_file(str(files[REQUIRED[0]])), f"{source}: {REQUIRED[0]}")
    _load_into(model.discriminator, load_file(str(files[REQUIRED[1]])), f"{source}: {REQUIRED[1]}")
    if "encoders.safetensors" in files:
        state = load_file(str(files["encoders.safetensors"]))
        kinds = {k.split(".", 1)[0] for k in state}
        unknown = kinds - set(model.encoders)
        if unknown:
            raise ZooError(
                f"{source}: encoders.safetensors holds encoders {sorted(unknown)} that the "
                f"architecture does not have ({sorted(model.encoders) or 'none'})"
            )
        for kind in sorted(kinds):
            part = {k[len(kind) + 1 :]: v for k, v in state.items() if k.startswith(kind + ".")}
            _load_into(model.encoders[kind], part, f"{source}: encoders.safetensors [{kind}]")
    if "ema_generator.safetensors" in files:
        if model.ema_generator is None:
            model.ema_generator = copy.deepcopy(model.generator).requires_grad_(False)
        state = load_file(str(files["ema_generator.safetensors"]))
        _load_into(model.ema_generator, state, f"{source}: ema_generator.safetensors")
