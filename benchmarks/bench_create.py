"""Model creation: ``zoo.create("dcgan-64")`` in a fresh process against the same networks
written by hand in plain PyTorch (``reference_dcgan.py``), and against ``import torch``.

Whole processes, alternating, median of each; zoo's overhead is
median(zoo) - median(hand-written). Goal: < 0.3 s.

    python benchmarks/bench_create.py [--arch dcgan-64] [--runs 15] [--no-record]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from _record import append, timed_process

HERE = Path(__file__).resolve().parent


def cases(arch: str) -> dict[str, list[str]]:
    res = int(arch.rsplit("-", 1)[1])
    return {
        "import torch": [sys.executable, "-c", "import torch"],
        "hand-written": [
            sys.executable,
            "-c",
            "import torch, reference_dcgan as r; "
            f"G, D = r.generator({res}), r.discriminator({res})",
        ],
        "zoo.create": [sys.executable, "-c", f"import torch, zoo; zoo.create({arch!r})"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", default="dcgan-64", choices=["dcgan-32", "dcgan-64"])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    todo = cases(args.arch)
    for cmd in todo.values():  # warm the file cache
        timed_process(cmd, HERE)
    times: dict[str, list[float]] = {name: [] for name in todo}
    for _ in range(args.runs):
        for name, cmd in todo.items():
            times[name].append(timed_process(cmd, HERE))
    med = {name: statistics.median(v) for name, v in times.items()}
    over = med["zoo.create"] - med["hand-written"]
    rows = [
        "| process | median s | beyond `import torch` |",
        "|---|---|---|",
        *(
            f"| {name} | {med[name]:.3f} | {med[name] - med['import torch']:+.3f} s |"
            for name in todo
        ),
        "",
        f"zoo's overhead over the hand-written networks: {over:+.3f} s "
        f"(goal < 0.3 s: {'met' if over < 0.3 else 'NOT met'}).",
    ]
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        append(
            f"Model creation: zoo.create({args.arch!r}) vs hand-written",
            f"python benchmarks/bench_create.py --arch {args.arch} --runs {args.runs}",
            table,
        )


if __name__ == "__main__":
    main()
