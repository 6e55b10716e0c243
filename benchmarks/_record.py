"""Shared helpers for benchmarks: what machine, which commit, and appending to RESULTS.md."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


#: The environment benchmark subprocesses run in. Bytecode caching stays on, as for an
#: installed package (pip compiles at install time); PYTHONDONTWRITEBYTECODE=1 would make every
#: process compile every module from source and time the compiler instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def device(name: str = "cpu") -> str:
    """The machine in words: the GPU's name for a CUDA device, else the CPU model and cores."""
    if name.startswith("cuda"):
        import torch

        return f"GPU: {torch.cuda.get_device_name(torch.device(name))}"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
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
        dirty = subprocess.run(  # RESULTS.md itself does not count: the runs append to it
            ["git", "status", "--porcelain", "--", ".", ":!benchmarks/RESULTS.md"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def timed_process(cmd: list[str], cwd: Path | None = None) -> float:
    """Seconds one whole process takes (output discarded), run in :data:`ENV`."""
    import time

    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=cwd, env=ENV)
    return time.perf_counter() - start


def timed_call(fn, device: str = "cpu") -> float:
    """Seconds ``fn()`` takes, with the CUDA queue drained before and after on a GPU."""
    import time

    import torch

    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    sync()
    start = time.perf_counter()
    fn()
    sync()
    return time.perf_counter() - start


def matmul_ceiling(device: str = "cpu", dtype: str = "fp32", n: int = 4096) -> float:
    """The device's measured matmul throughput in TFLOP/s (best of several n x n matmuls):
    the ceiling achieved FLOP rates are reported against."""
    import torch

    dt = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dtype]
    a = torch.randn(n, n, device=device, dtype=dt)
    b = torch.randn(n, n, device=device, dtype=dt)
    reps = 20 if device.startswith("cuda") else 2

    def matmuls() -> None:
        for _ in range(reps):
            a @ b

    a @ b  # warm-up
    best = min(timed_call(matmuls, device) / reps for _ in range(4))
    return 2 * n**3 / best / 1e12


def flops(fn) -> int:
    """FLOPs of ``fn()``, counted by ``torch.utils.flop_counter``."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def append(title: str, command: str, table: str, device_name: str = "cpu") -> None:
    """Append one dated section to RESULTS.md."""
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"\n## {title}\n\n"
        f"- date: {now}\n- device: {device(device_name)}\n- commit: {commit()}\n"
        f"- command: `{command}`\n\n"
        f"{table}\n"
    )
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\nEach section is appended by the script it names.\n"
        )
    with RESULTS.open("a") as f:
        f.write(section)
