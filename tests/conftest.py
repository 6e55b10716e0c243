"""Shared fixtures: real plugin distributions on a temporary path, and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import zoo.registry

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def make_dist(
    root: Path,
    dist: str,
    version: str,
    module: str,
    files: dict[str, str],
    entry_name: str | None = None,
) -> Path:
    """Write a real installed distribution: ``<dist>-<version>.dist-info`` with metadata and a
    ``zoo.plugins`` entry point, plus the plugin's own files, under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[zoo.plugins]\n{entry_name or dist} = {module}\n")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def run_zoo(
    *args: str,
    path: list[Path] | None = None,
    env: dict[str, str] | None = None,
    code: str | None = None,
) -> Result:
    """Run ``python -m zoo ARGS`` (or ``python -c CODE``) in a fresh process."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ZOO_")}
    extra = [str(p) for p in path or []]
    full_env["PYTHONPATH"] = os.pathsep.join([*extra, str(REPO)])
    full_env.update(env or {})
    cmd = [sys.executable, "-c", code] if code is not None else [sys.executable, "-m", "zoo", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def plugin_factory(tmp_path):
    """Create plugin distributions under their own temporary sys.path entries."""
    count = 0

    def factory(
        dist: str,
        module: str,
        files: dict[str, str],
        version: str = "1.0.0",
        entry_name: str | None = None,
    ) -> Path:
        nonlocal count
        count += 1
        return make_dist(tmp_path / f"site{count}", dist, version, module, files, entry_name)

    return factory


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    """Each test sees a registry built from the environment it sets up."""
    for var in ("ZOO_PLUGINS", "ZOO_DISABLE_PLUGINS", "ZOO_STRICT_PLUGINS", "ZOO_REGISTRY"):
        monkeypatch.delenv(var, raising=False)
    zoo.registry.reset()
    yield
    zoo.registry.reset()


@pytest.fixture
def run():
    return run_zoo
