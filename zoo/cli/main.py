"""``zoo``: list, inspect, validate, train and sample the model zoo.

Errors are one line on stderr and a non-zero exit; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from zoo.cli.table import render
from zoo.errors import ValidationError, ZooError

EPILOG = """\
environment:
  ZOO_PLUGINS=dist1,dist2     load only these plugin distributions (empty: built-ins only)
  ZOO_DISABLE_PLUGINS=dist    never import these plugin distributions
  ZOO_STRICT_PLUGINS=1        a plugin that fails to load is an error, not a warning
  ZOO_REGISTRY=a.yaml:b.yaml  extra architecture files (override: true replaces an entry)
  HF_TOKEN, HF_ENDPOINT, HF_HUB_OFFLINE, HF_HUB_CACHE   used by huggingface_hub (push, hf-hub:)
  ZOO_RESULTS_DB=PATH         results database of zoo bench / zoo leaderboard
  ZOO_INCEPTION_WEIGHTS=PATH  local InceptionV3 weights; ZOO_OFFLINE=1 never downloads them

examples:
  zoo list 'dcgan-*'
  zoo info cgan-mlp-28 --params
  zoo validate my_archs.yaml
  zoo train cdcgan-32 --data shapes --steps 2000 --out runs/demo
  zoo sample runs/demo --labels 3 --n 16 --out grid.png
  zoo bench runs/demo --data shapes:10000 --feature-extractor classifier-shapes
  zoo leaderboard --format html --out leaderboard.html
  zoo push runs/demo --repo me/cdcgan-32-shapes
  zoo sample hf-hub:me/cdcgan-32-shapes --out grid.png
"""


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True))


def cmd_list(args: argparse.Namespace) -> int:
    from zoo.registry import get_registry

    registry = get_registry()
    names = registry.list_models(args.pattern, pretrained=args.pretrained)
    rows = []
    for name in names:
        raw = registry.architectures[name.split(".")[0]].raw
        raw = raw if isinstance(raw, dict) else {}
        rows.append(
            {
                "name": name,
                "resolution": raw.get("resolution"),
                "channels": raw.get("channels"),
                "condition": raw.get("condition", "none"),
                "summary": raw.get("summary", ""),
                "origin": str(registry.architectures[name.split(".")[0]].origin),
            }
        )
    if args.json:
        _print_json(rows)
    elif rows:
        print(
            render(
                ["NAME", "IMAGE", "CONDITION", "SUMMARY"],
                [
                    [
                        r["name"],
                        f"{r['channels']}x{r['resolution']}x{r['resolution']}",
                        r["condition"],
                        r["summary"],
                    ]
                    for r in rows
                ],
            )
        )
    else:
        what = "pretrained models" if args.pretrained else "architectures"
        print(
            f"no {what} match {args.pattern!r}" if args.pattern else f"no {what}", file=sys.stderr
        )
    return 0


def cmd_components(args: argparse.Namespace) -> int:
    from zoo.api import list_components

    specs = list_components(args.kind)
    if args.json:
        _print_json([s.to_dict() for s in specs])
    else:
        print(
            render(
                ["KIND", "NAME", "ORIGIN", "SUMMARY"],
                [
                    [s.kind, s.name, s.origin.distribution or s.origin.file, s.summary]
                    for s in specs
                ],
            )
        )
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from zoo.api import info

    data = info(args.name, params=args.params)
    if args.json:
        _print_json(data)
        return 0
    print(f"{data['name']}: {data['summary']}")
    print(f"  image       {data['channels']}x{data['resolution']}x{data['resolution']}")
    cond = data["condition"] + (f" ({data['num_classes']} classes)" if data["num_classes"] else "")
    print(f"  condition   {cond}")
    print(f"  z_dim       {data['z_dim']}")
    print(f"  origin      {data['origin']}")
    print(f"  source      {data['source']}")
    print(f"  tags        {', '.join(data['tags']) or '-'}")
    train = data["train"]
    print("  train       " + ", ".join(f"{k}={v}" for k, v in train.items() if v is not None))
    print()
    rows = []
    for slot, c in data["composition"].items():
        params = ", ".join(f"{k}={v}" for k, v in c["with"].items())
        rows.append([slot, c["use"], params])
    print(render(["SLOT", "COMPONENT", "PARAMETERS"], rows))
    if data["parameters"]:
        print()
        p = data["parameters"]
        print(render(["NETWORK", "PARAMETERS"], [[k, f"{v:,}"] for k, v in p.items()]))
    else:
        print("\n(add --params to count parameters)")
    return 0


def cmd_plugins(args: argparse.Namespace) -> int:
    from zoo.registry import get_registry

    records = [p.to_dict() for p in get_registry().plugins]
    if args.json:
        _print_json(records)
    else:
        print(
            render(
                ["NAME", "DISTRIBUTION", "VERSION", "STATUS", "COMPONENTS", "ARCHS", "ERROR"],
                [
                    [
                        r["name"],
                        r["distribution"],
                        r["version"],
                        r["status"],
                        r["components"],
                        r["architectures"],
                        r["error"] or "",
                    ]
                    for r in records
                ],
            )
        )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from zoo.registry import get_registry, validate_file

    registry = get_registry()
    if args.files:
        problems = [p for f in args.files for p in validate_file(f)]
        what = ", ".join(args.files)
    else:
        problems = registry.validate()
        what = f"{len(registry.architectures)} architectures"
    if args.json:
        _print_json([p.__dict__ for p in problems])
    elif problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{len(problems)} problem{'s' * (len(problems) != 1)} in {what}", file=sys.stderr)
    else:
        print(f"ok: {what}")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    from zoo import __version__

    parser = argparse.ArgumentParser(
        prog="zoo",
        description="A plugin-based model zoo for GANs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"zoo {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("list", help="list architectures (or pretrained ARCH.TAG names)")
    p.add_argument("pattern", nargs="?", help="fnmatch pattern, e.g. 'cgan-*'")
    p.add_argument("--pretrained", action="store_true", help="list ARCH.TAG names with weights")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("components", help="list registered components")
    p.add_argument(
        "--kind",
        help="generator, discriminator, encoder, loss, regularizer, objective, dataset or metric",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_components)

    p = sub.add_parser("info", help="show an architecture's composition, origin and tags")
    p.add_argument("name", help="ARCH or ARCH.TAG")
    p.add_argument(
        "--params",
        action="store_true",
        help="count parameters (builds the networks on the CPU; imports torch)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("plugins", help="list discovered plugins with their status and errors")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("validate", help="validate the registry, or the given YAML files")
    p.add_argument("files", nargs="*", metavar="FILE", help="user registry files to check")
    p.add_argument("--json", action="store_true", help="problems as JSON")
    p.set_defaults(func=cmd_validate)

    from zoo.cli.evaluate import add_bench, add_leaderboard  # their bodies import torch
    from zoo.cli.run import add_push, add_sample, add_train

    add_train(sub)
    add_sample(sub)
    add_bench(sub)
    add_leaderboard(sub)
    add_push(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as exc:
        if args.debug:
            raise
        for problem in exc.problems:
            print(f"zoo: error: {problem}", file=sys.stderr)
        return 1
    except ZooError as exc:
        if args.debug:
            raise
        print(f"zoo: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zoo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `zoo list | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"zoo: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the "
            "traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
