"""Shared helpers for benchmarks: what machine, which commit, and appending to RESULTS.md."""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


def device() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"CPU: {cpu}, {os.cpu_count()} cores"


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=HERE, capture_output=True, text=True
        )
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def append(title: str, command: str, table: str) -> None:
    """Append one dated section to RESULTS.md."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"\n## {title}\n\n"
        f"- date: {now}\n- device: {device()}\n- commit: {commit()}\n- command: `{command}`\n\n"
        f"{table}\n"
    )
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\nEach section is appended by the script it names.\n"
        )
    with RESULTS.open("a") as f:
        f.write(section)
