"""``zoo bench``: score a model against reference data and store it with its protocol."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoo.errors import ZooError

METRICS = ("fid", "isc", "kid", "prc")
#: torch-fidelity's keys -> the names results are stored under.
RENAME = {
    "frechet_inception_distance": "fid",
    "inception_score_mean": "isc",
    "inception_score_std": "isc_std",
    "kernel_inception_distance_mean": "kid",
    "kernel_inception_distance_std": "kid_std",
    "precision": "precision",
    "recall": "recall",
    "f_score": "f_score",
}
FEW_SAMPLES = 2048


@dataclass
class BenchOptions:
    source: str
    data: str
    metrics: list[str] = field(default_factory=lambda: ["fid", "kid", "prc"])
    num_samples: int = 10_000
    extractor: str | None = None
    inception_weights: str | None = None
    db: str | None = None
    seed: int = 0
    device: str = "cpu"
    batch_size: int = 100
    cache: bool = True
    verbose: bool = False


def git_revision() -> str:
    """The zoo checkout's commit (``+dirty`` when modified), or the installed version."""
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev, dirty = "", ""
    if rev:
        return rev + ("+dirty" if dirty else "")
    from zoo.hub.export import _zoo_version

    return f"zoo {_zoo_version()}"


def _split(prepared: Any, n: int) -> str:
    ds = prepared.dataset
    if hasattr(ds, "seed") and hasattr(ds, "offset"):
        return f"seed {ds.seed}, indices {ds.offset}..{ds.offset + n - 1}"
    split = getattr(ds, "split", None)
    return f"{split} split, first {n}" if split else f"first {n}"


def series_of(model: Any, source: str) -> tuple[str, str]:
    """(series key, display name): one series per training run, Hub repo or architecture."""
    p = model.provenance or {}
    arch = model.config["name"]
    if p.get("source") == "local-dir":
        path = Path(p["path"])
        run = path.parents[1] if path.parent.name == "checkpoints" else path
        return f"run:{run}", f"{arch} ({run.name})"
    if p.get("source") == "hf-hub":
        return f"hf-hub:{p['repo']}", f"{arch} (hf-hub:{p['repo']})"
    return f"untrained:{arch}", f"{arch} (untrained)"


def bench(opts: BenchOptions, progress: Any = None) -> dict[str, Any]:
    """Benchmark ``opts.source`` on ``opts.data``; store and return the record."""
    import torch

    from zoo.data import open_dataset
    from zoo.evaluation import conditions, extractors, fidelity
    from zoo.factory import open_model
    from zoo.results import ResultsStore
    from zoo.results.store import protocol_hash
    from zoo.training.report import save_grid

    unknown = sorted(set(opts.metrics) - set(METRICS))
    if unknown or not opts.metrics:
        raise ZooError(f"--metrics: unknown {unknown}; choose from {','.join(METRICS)}")
    if opts.num_samples < 10:
        raise ZooError("--num-samples must be at least 10")
    extractor = opts.extractor or extractors.INCEPTION
    if extractor not in extractors.extractor_names():
        raise ZooError(
            f"--feature-extractor {extractor!r}: choose from "
            f"{', '.join(extractors.extractor_names())}"
        )
    domain = extractors.domain_for(opts.data)
    if extractor in extractors.DOMAINS and extractors.DOMAINS[extractor] is not domain:
        raise ZooError(
            f"{extractor} knows {', '.join(extractors.DOMAINS[extractor].datasets)} images, not "
            f"{opts.data}: use it only on its own data (or the default InceptionV3)"
        )
    inception = (
        extractors.require_inception(opts.inception_weights)
        if extractor == extractors.INCEPTION
        else None
    )
    store = ResultsStore(opts.db)  # fail on a bad --db before any work

    model = open_model(opts.source).to(opts.device).eval()
    arch = model.config
    data = open_dataset(opts.data, arch["resolution"], arch["channels"])
    if len(data) < opts.num_samples:
        raise ZooError(
            f"{opts.data} has {len(data)} images, fewer than --num-samples {opts.num_samples}"
        )
    reference = fidelity.ReferenceImages(data, opts.num_samples)
    captions = None
    if model.condition == "text":
        if not data.captions:
            raise ZooError(f"{arch['name']} is text-conditional but {opts.data} has no captions")
        captions = [data.dataset[i]["caption"] for i in range(opts.num_samples)]
    if model.condition == "class" and data.num_classes != arch.get("num_classes"):
        raise ZooError(
            f"{arch['name']} has {arch.get('num_classes')} classes but {opts.data} has "
            f"{data.num_classes}: benchmark it on the data it was trained on"
        )
    sampler = fidelity.ConditionSampler(model, captions, opts.seed)
    keep = min(opts.num_samples, FEW_SAMPLES)
    generated = fidelity.generator_input(model, sampler, keep=keep)
    weights_sha = extractors.weights_sha256(extractor, inception)
    cache_root = None
    if opts.cache:  # one cache root per extractor weights: file names ignore the weights
        cache_root = Path(store.path).parent / "fidelity-cache" / f"{extractor}-{weights_sha[:16]}"
    ref_name = re.sub(
        r"[^A-Za-z0-9_.-]",
        "_",
        f"{opts.data}-{arch['resolution']}px-{arch['channels']}ch-{opts.num_samples}",
    )
    protocol: dict[str, Any] = {
        "extractor": extractor,
        "extractor_sha256": weights_sha,
        "dataset": opts.data,
        "split": _split(data, opts.num_samples),
        "resolution": arch["resolution"],
        "channels": arch["channels"],
        "generated_samples": opts.num_samples,
        "reference_samples": len(reference),
        "conditions": sampler.describe(),
        "seed": opts.seed,
        "z": "normal, torch-fidelity rng_seed = seed",
        "quantization": fidelity.QUANTIZATION,
        "kid_subset_size": min(1000, opts.num_samples),
        "torch_fidelity": _version("torch-fidelity"),
        "torch": torch.__version__.split("+")[0],
        "device": opts.device,
        "git_revision": git_revision(),
    }
    start = time.time()
    with torch.no_grad(), _download_errors(extractor, inception):
        raw = fidelity.calculate(
            generated,
            reference,
            metrics=opts.metrics,
            extractor=extractor,
            num_samples=opts.num_samples,
            seed=opts.seed,
            device=opts.device,
            batch_size=opts.batch_size,
            cache_root=cache_root,
            reference_cache_name=ref_name,
            inception_weights=inception,
            verbose=opts.verbose,
        )
    scores = {RENAME.get(k, k): v for k, v in raw.items()}
    kept = torch.cat(generated.kept)
    if domain is not None and model.condition != "none":
        protocol["condition_classifier"] = domain.name
        protocol["condition_classifier_sha256"] = domain.sha256
        protocol["condition_samples"] = len(kept)
        if model.condition == "class":
            labels = generated.kept_conditions["labels"]
            scores["class_accuracy"] = conditions.class_accuracy(domain.name, kept, labels)
        elif model.condition == "text":
            texts = generated.kept_conditions["texts"]
            scores["attribute_accuracy"] = conditions.attribute_accuracy(domain.name, kept, texts)
    seconds = time.time() - start
    run_id = uuid.uuid4().hex[:12]
    grid = Path(store.path).parent / "grids" / f"{run_id}.png"
    save_grid(kept[:64].float() / 127.5 - 1.0, grid, nrow=8)
    series, name = series_of(model, opts.source)
    provenance = {"source": opts.source, **(model.provenance or {}), "seconds": round(seconds, 2)}
    step = (model.provenance or {}).get("step")
    store.add(
        run_id=run_id,
        model=name,
        architecture=arch["name"],
        series=series,
        step=step,
        scores=scores,
        protocol=protocol,
        provenance=provenance,
        grid=str(grid),
    )
    return {
        "run_id": run_id,
        "model": name,
        "step": step,
        "scores": scores,
        "protocol": protocol,
        "protocol_hash": protocol_hash(protocol),
        "db": str(store.path),
        "grid": str(grid),
        "seconds": seconds,
        "few_samples": opts.num_samples < FEW_SAMPLES,
    }


@contextlib.contextmanager
def _download_errors(extractor: str, inception: str | None):
    """torch-fidelity downloading InceptionV3 and failing -> one clear error."""
    from zoo.evaluation import extractors

    try:
        yield
    except OSError as exc:  # URLError, socket errors, HTTP errors from torch.hub
        if extractor == extractors.INCEPTION and inception is None:
            raise extractors.inception_missing_error() from exc
        raise


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)
