"""Training speed: zoo's trainer against a hand-written PyTorch DCGAN loop.

Both train the same DCGAN (``reference_dcgan.py`` mirrors zoo's ``dcgan`` components) at the
same batch size and dtype on the same data, each in a fresh process, alternating, and the
median images/s after warm-up steps is compared. zoo runs as users get it (its trainer with
the architecture's EMA) and without EMA (like for like with the reference).

On a GPU (``--device cuda``) it also compares zoo's fast path, bf16 autocast +
channels_last + ``torch.compile``, with eager fp32, and reports the achieved TFLOP/s
(counted by ``torch.utils.flop_counter``) against the measured bf16 matmul ceiling.

    python benchmarks/bench_train.py [--archs dcgan-32,dcgan-64] [--batch-size 64]
        [--steps 20] [--warmup 4] [--runs 3] [--device cpu] [--no-record]

Goals: on the CPU zoo >= 0.95x of the reference; on a GPU the fast path >= 2x eager fp32.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _record import ENV, append, flops, matmul_ceiling

HERE = Path(__file__).resolve().parent
RESOLUTION = {"dcgan-32": 32, "dcgan-64": 64}


def _batches(data: str, resolution: int, batch_size: int, workers: int = 0):
    """Endless shuffled batches of images from ``data`` (the reference's input)."""
    import torch

    from zoo.data import open_dataset

    dataset = open_dataset(data, resolution, 3)
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=True,
        drop_last=True,
        num_workers=workers,
        persistent_workers=workers > 0,
    )
    while True:
        for batch in loader:
            yield batch["image"]


def worker(args: argparse.Namespace) -> dict:
    """One measurement in this process; returns images/s after warm-up."""
    import torch

    torch.manual_seed(0)
    if args.worker == "data":  # the loader alone: the most any trainer can get from it
        batches = _batches(args.data, RESOLUTION[args.arch], args.batch_size, args.workers)
        for _ in range(args.warmup):
            next(batches)
        start = time.perf_counter()
        for _ in range(args.steps):
            next(batches)
        return {"images_per_s": args.steps * args.batch_size / (time.perf_counter() - start)}
    if args.worker == "reference":
        import reference_dcgan

        seconds = reference_dcgan.train(
            _batches(args.data, RESOLUTION[args.arch], args.batch_size, args.workers),
            RESOLUTION[args.arch],
            args.steps,
            args.warmup,
            device=args.device,
        )
        return {"images_per_s": args.steps * args.batch_size / seconds}

    from zoo.training.trainer import TrainOptions, train

    fast = args.worker == "zoo-fast"
    with tempfile.TemporaryDirectory() as tmp:
        train(
            TrainOptions(
                arch=args.arch,
                data=args.data,
                out=Path(tmp) / "run",
                steps=args.warmup + args.steps,
                device=args.device,
                batch_size=args.batch_size,
                ema=0.0 if args.worker == "zoo-no-ema" else None,
                workers=args.workers,
                log_every=args.warmup,
                sample_every=10**9,
                ckpt_every=10**9,
                amp=fast,
                channels_last=fast,
                compile=fast,
                progress=False,
            )
        )
        rows = {int(r["step"]): r for r in csv.DictReader((Path(tmp) / "run/metrics.csv").open())}
    seconds = float(rows[args.warmup + args.steps]["elapsed_s"]) - float(
        rows[args.warmup]["elapsed_s"]
    )
    out = {"images_per_s": args.steps * args.batch_size / seconds}
    if args.flops:
        out["flops_per_image"] = flops_per_image(args)
    return out


def flops_per_image(args: argparse.Namespace) -> float:
    """FLOPs of one training step (D on real + fake, G through D, backward) per image."""
    import torch

    import zoo
    from zoo.components.objectives import Batch
    from zoo.factory import build_objective

    model = zoo.create(args.arch).to(args.device)
    objective = build_objective(model.config)
    optimizers = {
        k: torch.optim.Adam(v, lr=1e-4) for k, v in objective.parameter_groups(model).items()
    }
    batches = iter(
        lambda: Batch(
            torch.rand(args.batch_size, 3, RESOLUTION[args.arch], RESOLUTION[args.arch]) * 2 - 1
        ),
        None,
    )
    return flops(lambda: objective.step(model, batches, optimizers)) / args.batch_size


def measure(args: argparse.Namespace, arch: str, who: str, count_flops: bool = False) -> dict:
    cmd = [
        sys.executable,
        __file__,
        f"--worker={who}",
        f"--arch={arch}",
        f"--data={args.data}",
        f"--batch-size={args.batch_size}",
        f"--steps={args.steps}",
        f"--warmup={args.warmup}",
        f"--device={args.device}",
        f"--workers={args.workers}",
        *(["--flops"] if count_flops else []),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=HERE, env=ENV)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archs", default="dcgan-32,dcgan-64")
    parser.add_argument("--data", default="shapes:20000", help="dataset both sides read")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=4, help="untimed steps first")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each side")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--workers", type=int, default=0, help="data loader processes, both sides (default 0)"
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--arch", help=argparse.SUPPRESS)
    parser.add_argument("--flops", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    unknown = set(args.archs.split(",")) - set(RESOLUTION)
    if unknown:
        parser.error(
            f"--archs: {', '.join(sorted(unknown))} not benchmarked "
            f"(choose from {', '.join(RESOLUTION)})"
        )
    args.steps = -(-args.steps // args.warmup) * args.warmup  # a multiple of the log interval
    if args.worker:
        print(json.dumps(worker(args)))
        return

    gpu = args.device.startswith("cuda")
    sides = ["reference", "zoo", "zoo-no-ema"] + (["zoo-fast"] if gpu else []) + ["data"]
    rows = [
        "| architecture | run | images/s (median) | ratio | goal |",
        "|---|---|---|---|---|",
    ]
    ceiling = matmul_ceiling(args.device, "bf16") if gpu else None
    for arch in args.archs.split(","):
        speeds: dict[str, list[float]] = {s: [] for s in sides}
        step_flops = None
        for r in range(args.runs):
            for side in sides:
                result = measure(
                    args, arch, side, count_flops=gpu and r == 0 and side == "zoo-fast"
                )
                speeds[side].append(result["images_per_s"])
                step_flops = result.get("flops_per_image", step_flops)
                print(
                    f"{arch} run {r + 1} {side}: {result['images_per_s']:.1f} images/s", flush=True
                )
        med = {s: statistics.median(v) for s, v in speeds.items()}
        ref = med["reference"]
        rows.append(f"| {arch} | hand-written PyTorch loop | {ref:.1f} | 1.00x | reference |")
        for side, label in (
            ("zoo", "zoo trainer (with EMA)"),
            ("zoo-no-ema", "zoo trainer, no EMA"),
        ):
            ratio = med[side] / ref
            goal = "met" if ratio >= 0.95 else "NOT met"
            rows.append(f"| {arch} | {label} | {med[side]:.1f} | {ratio:.2f}x | >= 0.95x: {goal} |")
        if gpu:
            ratio = med["zoo-fast"] / med["zoo"]
            goal = "met" if ratio >= 2 else "NOT met"
            tflops = med["zoo-fast"] * step_flops / 1e12
            rows.append(
                f"| {arch} | zoo bf16 + channels_last + compile | {med['zoo-fast']:.1f} | "
                f"{ratio:.2f}x of zoo fp32 eager | >= 2x: {goal}; {tflops:.1f} TFLOP/s = "
                f"{tflops / ceiling:.0%} of the {ceiling:.0f} TFLOP/s bf16 matmul ceiling |"
            )
        near = [s for s in sides if s != "data" and med[s] >= 0.8 * med["data"]]
        verdict = (
            f"data-bound (>= 80% of it): {', '.join(near)}" if near else "no run is data-bound"
        )
        rows.append(
            f"| {arch} | data loader alone ({args.workers} workers) | {med['data']:.1f} | - | "
            f"{verdict} |"
        )
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        append(
            f"Training step: zoo trainer vs hand-written DCGAN ({args.device})",
            f"python benchmarks/bench_train.py --archs {args.archs} --batch-size "
            f"{args.batch_size} --steps {args.steps} --warmup {args.warmup} --runs {args.runs} "
            f"--device {args.device} --workers {args.workers} --data {args.data}",
            table + f"\n\nBatch {args.batch_size}, data {args.data}, fp32 unless stated; "
            f"{args.runs} alternating runs per side, each a fresh process.",
            device_name=args.device,
        )


if __name__ == "__main__":
    main()
