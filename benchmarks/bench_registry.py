"""How fast is the registry? ``zoo list`` / ``zoo info`` against ``timm.list_models()``.

Each command runs as a whole process (interpreter start-up included), alternating
with the reference so that both see the same machine state; the ratio is
median(reference) / median(zoo). Goal: zoo at least 15x faster.

Then the same zoo commands with ``--plugins N`` extra installed plugins (default 50):
real distributions generated on a temporary path (``*.dist-info`` with a ``zoo.plugins``
entry point, a plugin module registering a generator, a discriminator and an
architecture), appended to ``sys.path`` as site-packages would hold them. Goal: they add
less than 20%.

    python benchmarks/bench_registry.py [--runs 15] [--plugins 50] [--no-record]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _record import ENV, append
from _record import timed_process as timed

REFERENCE = [sys.executable, "-c", "import timm; timm.list_models()"]
CASES = {
    "zoo list": [sys.executable, "-m", "zoo", "list"],
    "zoo info dcgan-64": [sys.executable, "-m", "zoo", "info", "dcgan-64"],
}


PLUGIN = """\
from zoo.plugins import hookimpl

ZOO_PLUGIN_API = "1.0"
IMAGE = {{"resolution": (int, None, "image size"), "channels": (int, None, "channels"),
         "cond_dim": (int | None, None, "condition size")}}


@hookimpl
def register_components(register):
    register(kind="generator", name="gen{i}.dcgan", target="zoo.components.dcgan:DCGANGenerator",
             params={{"z_dim": (int, None, "latent size"), **IMAGE, "ch": (int, 64, "width")}},
             conditions=("none", "class"), doc="A generated plugin's generator.")
    register(kind="discriminator", name="gen{i}.dcgan",
             target="zoo.components.dcgan:DCGANDiscriminator",
             params={{**IMAGE, "ch": (int, 64, "width")}},
             conditions=("none", "class"), doc="A generated plugin's discriminator.")


@hookimpl
def register_architectures(register):
    register({{"architectures": {{"gen{i}-dcgan-32": {{
        "summary": "Generated plugin {i}", "resolution": 32, "channels": 3, "z_dim": 100,
        "generator": {{"use": "gen{i}.dcgan"}}, "discriminator": {{"use": "gen{i}.dcgan"}},
        "loss": "bce",
        "train": {{"batch_size": 64, "lr_g": 2e-4, "lr_d": 2e-4, "betas": [0.5, 0.999]}},
    }}}}}}, source="zoo-gen-{i}")
"""


def make_plugins(root: Path, n: int) -> Path:
    """``n`` installed plugin distributions under ``root`` (a directory for sys.path)."""
    for i in range(n):
        info = root / f"zoo_gen_{i}-0.1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: zoo-gen-{i}\nVersion: 0.1.0\n"
        )
        (info / "entry_points.txt").write_text(f"[zoo.plugins]\ngen{i} = zoo_gen_{i}.plugin\n")
        pkg = root / f"zoo_gen_{i}"
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        (pkg / "plugin.py").write_text(PLUGIN.format(i=i))
    return root


def with_path(cmd: list[str], root: Path | None) -> list[str]:
    """``python -m zoo ARGS`` with ``root`` appended to sys.path, where site-packages puts an
    installed distribution (after the standard library, unlike PYTHONPATH, which would make
    every standard-library import look in ``root`` first)."""
    assert cmd[1:3] == ["-m", "zoo"]
    append = f"sys.path.append({str(root)!r}); " if root else ""
    code = f"import sys; {append}import runpy; runpy.run_module('zoo', run_name='__main__')"
    return [cmd[0], "-c", code, *cmd[3:]]


def plugin_overhead(runs: int, n: int) -> list[str]:
    """Rows: each zoo command without and with ``n`` generated plugins, alternating."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = make_plugins(Path(tmp), n)
        listed = subprocess.run(
            [*with_path(CASES["zoo list"], root), "--json"],
            env=ENV,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found = sum(m["name"].startswith("gen") for m in json.loads(listed))
        if found < n:
            raise SystemExit(f"only {found} of the {n} generated plugins' architectures listed")
        for name, cmd in CASES.items():
            plain, more = with_path(cmd, None), with_path(cmd, root)
            timed(more)  # warm the file cache and write the plugins' bytecode
            base, extra = [], []
            for _ in range(runs):
                base.append(timed(plain))
                extra.append(timed(more))
            b, m = statistics.median(base), statistics.median(extra)
            verdict = "met" if m / b < 1.2 else "NOT met"
            rows.append(
                f"| `{name}` + {n} plugins | {m:.3f} | {b:.3f} without: "
                f"{(m / b - 1):+.0%} | < +20%: {verdict} |"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument(
        "--plugins", type=int, default=50, help="extra generated plugins (0: skip that part)"
    )
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
    if args.plugins:
        rows += plugin_overhead(args.runs, args.plugins)
    table = "\n".join(rows)
    print(table)
    if not args.no_record:
        append(
            "Registry: zoo list / info vs timm.list_models()",
            f"python benchmarks/bench_registry.py --runs {args.runs} --plugins {args.plugins}",
            table,
        )


if __name__ == "__main__":
    main()
