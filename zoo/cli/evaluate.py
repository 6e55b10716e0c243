"""``zoo bench`` and ``zoo leaderboard``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from zoo.errors import ZooError


def add_bench(sub) -> None:
    p = sub.add_parser(
        "bench",
        help="score a model (FID, IS, KID, precision/recall, condition accuracy) and store it",
        description="Benchmark a trained model against reference data with torch-fidelity "
        "(fed in memory, no PNGs), plus condition accuracy for conditional models, and store "
        "every score with its full protocol in the results database. Feature extractors: "
        "inception-v3-compat (default; needs its weights: downloaded by torch-fidelity, or "
        "--inception-weights / ZOO_INCEPTION_WEIGHTS offline), classifier-shapes (shapes) "
        "and lenet-mnist (MNIST), shipped with zoo. Scores from different extractors are "
        "never ranked together.",
    )
    p.add_argument(
        "source",
        metavar="ARCH_OR_CHECKPOINT",
        help="run dir, checkpoint dir, local-dir:DIR, hf-hub:ORG/NAME[@REV], ARCH.TAG or ARCH",
    )
    p.add_argument(
        "--data", required=True, help="reference dataset, e.g. shapes:10000 or mnist:DIR"
    )
    p.add_argument(
        "--metrics",
        default="fid,kid,prc",
        help="comma list of fid,isc,kid,prc (default fid,kid,prc)",
    )
    p.add_argument(
        "--num-samples",
        type=int,
        default=10_000,
        help="generated and reference images (default 10000)",
    )
    p.add_argument(
        "--feature-extractor",
        dest="extractor",
        help="inception-v3-compat (default), classifier-shapes or lenet-mnist",
    )
    p.add_argument(
        "--inception-weights",
        type=Path,
        help="local InceptionV3 weights (.pth) for offline machines",
    )
    p.add_argument(
        "--db",
        type=Path,
        help="results database (default $ZOO_RESULTS_DB or ~/.cache/zoo/results.sqlite)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument(
        "--no-cache", dest="cache", action="store_false", help="do not cache reference features"
    )
    p.add_argument("--json", action="store_true", help="print the stored record as JSON")
    p.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    from zoo.evaluation.bench import BenchOptions, bench

    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    record = bench(
        BenchOptions(
            source=args.source,
            data=args.data,
            metrics=metrics,
            num_samples=args.num_samples,
            extractor=args.extractor,
            inception_weights=str(args.inception_weights) if args.inception_weights else None,
            db=str(args.db) if args.db else None,
            seed=args.seed,
            device=args.device,
            batch_size=args.batch_size,
            cache=args.cache,
            verbose=sys.stderr.isatty(),
        )
    )
    if record["few_samples"]:
        print(
            f"zoo: warning: {args.num_samples} samples (< 2048): FID is biased and noisy; "
            "compare only with results of the same protocol",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(record, indent=2, sort_keys=True))
        return 0
    print(f"{record['model']}  step {record['step'] if record['step'] is not None else '-'}")
    for metric, value in record["scores"].items():
        print(f"  {metric:<20} {value:.4f}")
    print(
        f"protocol {record['protocol_hash'][:12]} ({record['protocol']['extractor']}); "
        f"stored in {record['db']} ({record['seconds']:.1f} s)"
    )
    return 0


def add_leaderboard(sub) -> None:
    p = sub.add_parser(
        "leaderboard",
        help="render stored results: one ranked table per protocol (md, html or json)",
        description="Render the results database as a leaderboard: one table per evaluation "
        "protocol, ranked within it. HTML adds each model's sample grid and, where a model was "
        "benchmarked at several steps, metric-vs-steps plots.",
    )
    p.add_argument(
        "--db",
        type=Path,
        help="results database (default $ZOO_RESULTS_DB or ~/.cache/zoo/results.sqlite)",
    )
    p.add_argument("--format", choices=["md", "html", "json"], default="md")
    p.add_argument("--out", type=Path, help="write here instead of stdout")
    p.set_defaults(func=cmd_leaderboard)


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from zoo.results import ResultsStore, default_db
    from zoo.results.leaderboard import render

    path = args.db or default_db()
    if not Path(path).is_file():
        raise ZooError(f"no results database at {path}: run `zoo bench ... --db {path}` first")
    text = render(ResultsStore(path).results(), args.format)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(f".{args.out.name}.tmp")
        tmp.write_text(text)
        tmp.replace(args.out)
        print(args.out)
    else:
        print(text)
    return 0
