"""How fast is the registry? ``zoo list`` / ``zoo info`` against ``timm.list_models()``.

Each command runs as a whole process (interpreter start-up included), alternating
with the reference so that both see the same machine state; the ratio is
median(reference) / median(zoo). Goal: zoo at least 15x faster.

    python benchmarks/bench_registry.py [--runs 15] [--no-record]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _record import append

REFERENCE = [sys.executable, "-c", "import timm; timm.list_models()"]
CASES = {
    "zoo list": [sys.executable, "-m", "zoo", "list"],
    "zoo info dcgan-64": [sys.executable, "-m", "zoo", "info", "dcgan-64"],
}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()

    for cmd in [REFERENCE, *CASES.values()]:  # warm the file cache once
        timed(cmd)
    times: dict[str, list[float]] = {name: [] for name in ["timm.list_models()", *CASES]}
    for _ in range(args.runs):
        for name, cmd in CASES.items():
            times["timm.list_models()"].append(timed(REFERENCE))
            times[name].append(timed(cmd))

    ref = statistics.median(times["timm.list_models()"])
    rows = [
        "| command | median s | ratio vs timm | goal |",
        "|---|---|---|---|",
        f"| `import timm; timm.list_models()` | {ref:.3f} | 1.0x | reference |",
    ]
    for name in CASES:
        med = statistics.median(times[name])
        ratio = ref / med
        verdict = "met" if ratio >= 15 else "NOT met"
        rows.append(f"| `{name}` | {med:.3f} | {ratio:.1f}x faster | >= 15x: {verdict} |")
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        append(
            "Registry: zoo list / info vs timm.list_models()",
            f"python benchmarks/bench_registry.py --runs {args.runs}",
            table,
        )


if __name__ == "__main__":
    main()
