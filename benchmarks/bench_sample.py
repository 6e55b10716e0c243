"""Sampling speed: images/s of ``model.sample`` at a large batch, against the bare generator.

The reference is the same generator called directly (``G(z, cond)`` under
``torch.inference_mode``, eval mode, conditions encoded once outside the timing), so the
ratio is what ``model.sample`` itself costs: argument checks, drawing z and conditions,
encoding labels or texts (the MiniLM text encoder for ``cgan-attn-64``). Runs alternate,
median of each. On a GPU it also reports the achieved TFLOP/s (``torch.utils.flop_counter``)
against the measured matmul ceiling of the dtype used.

    python benchmarks/bench_sample.py [--archs dcgan-64,sngan-32,cgan-attn-64]
        [--batch-size 256] [--runs 5] [--device cpu] [--no-record]
"""

from __future__ import annotations

import argparse
import statistics

import torch
from _record import append, flops, matmul_ceiling, timed_call


def _conditions(model, n: int) -> dict:
    if model.condition == "class":
        return {"labels": [i % model.config["num_classes"] for i in range(n)]}
    if model.condition == "text":
        from zoo.data import open_dataset

        data = open_dataset("shapes:1000", model.config["resolution"], 3)
        return {"texts": [data.dataset[i]["caption"] for i in range(n)]}
    return {}


def measure(arch: str, args: argparse.Namespace, ceiling: float | None) -> str:
    """One table row: bare generator vs ``model.sample`` for ``arch``."""
    import zoo

    cuda = args.device.startswith("cuda")
    n = args.batch_size
    torch.manual_seed(0)
    model = zoo.create(arch).to(args.device).eval()
    cond_args = _conditions(model, n)
    G = model.generator
    z = torch.randn(n, model.z_dim, device=args.device)
    with torch.inference_mode():
        cond = model.encode(**cond_args)

    def bare():
        with torch.inference_mode():
            return G(z, cond)

    def sample():
        return model.sample(n, **cond_args)

    for fn in (bare, sample):  # warm-up
        fn()
    times: dict[str, list[float]] = {"bare": [], "sample": []}
    for _ in range(args.runs):
        times["bare"].append(timed_call(bare, args.device))
        times["sample"].append(timed_call(sample, args.device))
    bare_ips = n / statistics.median(times["bare"])
    sample_ips = n / statistics.median(times["sample"])
    row = f"| {arch} | {n} | {bare_ips:.1f} | {sample_ips:.1f} | {sample_ips / bare_ips:.2f}x |"
    if cuda:
        with torch.inference_mode():
            tflops = flops(lambda: G(z, cond)) / n * sample_ips / 1e12
        row += f" {tflops:.1f} ({tflops / ceiling:.0%} of {ceiling:.0f}) |"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archs", default="dcgan-64,sngan-32,cgan-attn-64")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()

    cuda = args.device.startswith("cuda")
    n = args.batch_size
    ceiling = matmul_ceiling(args.device, "fp32") if cuda else None
    rows = [
        "| architecture | batch | bare generator images/s | model.sample images/s | ratio |"
        + (" TFLOP/s (of fp32 ceiling) |" if cuda else ""),
        "|---|---|---|---|---|" + ("---|" if cuda else ""),
    ]
    for arch in args.archs.split(","):
        row = measure(arch, args, ceiling)
        rows.append(row)
        print(row, flush=True)
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        append(
            f"Sampling: model.sample vs the bare generator ({args.device})",
            f"python benchmarks/bench_sample.py --archs {args.archs} --batch-size {n} "
            f"--runs {args.runs} --device {args.device}",
            table + "\n\nfp32, fresh (untrained) weights; the ratio is model.sample / bare.",
            device_name=args.device,
        )


if __name__ == "__main__":
    main()
