"""Run a leaderboard plan: train each (architecture, data, seed) to each listed step,
benchmark every step, and write benchmarks/LEADERBOARD.md (+ LEADERBOARD.html).

    python benchmarks/leaderboard.py benchmarks/plans/cpu-quick.yaml [--work DIR]

Resumable: training continues with --resume, and a step already benchmarked under the same
protocol (a marker in the run directory) is not benchmarked again. Re-running after an
interruption picks up where it stopped.
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
from pathlib import Path

import _record
import yaml

ROOT = Path(__file__).resolve().parents[1]


def zoo(*args: str) -> None:
    cmd = [sys.executable, "-m", "zoo", *args]
    print("+ zoo", " ".join(args), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def device_name(device: str) -> str:
    if device.startswith("cuda"):
        import torch

        return torch.cuda.get_device_name(0)
    return _record.device()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "leaderboard")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "LEADERBOARD.md")
    args = parser.parse_args()
    plan = yaml.safe_load(args.plan.read_text())
    work = args.work / plan["preset"]
    db = work / "results.sqlite"
    device = plan.get("device", "cpu")
    for run in plan["runs"]:
        for seed in run.get("seeds", [0]):
            name = f"{run['arch']}-{run['data'].split(':')[0]}-s{seed}"
            out = work / name
            sets = [f"--set={k}={v}" for k, v in (run.get("set") or {}).items()]
            for step in sorted(run["steps"]):
                done = out / f".bench-{step}-{run['extractor']}-{plan['num_samples']}"
                if done.exists():
                    continue
                resume = ["--resume"] if (out / "checkpoints" / "latest").exists() else []
                batch = ["--batch-size", str(run["batch_size"])] if "batch_size" in run else []
                zoo(
                    "train",
                    run["arch"],
                    "--data",
                    run["data"],
                    "--steps",
                    str(step),
                    "--seed",
                    str(seed),
                    "--out",
                    str(out),
                    "--device",
                    device,
                    "--no-progress",
                    *batch,
                    *sets,
                    *resume,
                )
                zoo(
                    "bench",
                    str(out),
                    "--data",
                    run["data"],
                    "--num-samples",
                    str(plan["num_samples"]),
                    "--metrics",
                    plan.get("metrics", "fid,kid,prc"),
                    "--feature-extractor",
                    run["extractor"],
                    "--device",
                    device,
                    "--db",
                    str(db),
                )
                done.touch()
    html = args.out.with_suffix(".html")
    zoo("leaderboard", "--db", str(db), "--format", "html", "--out", str(html))
    body = subprocess.run(
        [sys.executable, "-m", "zoo", "leaderboard", "--db", str(db), "--format", "md"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    header = (
        f"Plan `{args.plan.name}` (preset {plan['preset']}), run {datetime.date.today()} on "
        f"{device_name(device)}, commit {commit}. Reproduce: `python benchmarks/leaderboard.py "
        f"{args.plan.relative_to(ROOT) if args.plan.is_absolute() else args.plan}`. "
        f"The HTML page with sample grids and metric-over-steps plots: `{html.name}`.\n"
    )
    title, _, rest = body.partition("\n")
    args.out.write_text(f"{title}\n\n{header}{rest}")
    print(args.out)


if __name__ == "__main__":
    main()
