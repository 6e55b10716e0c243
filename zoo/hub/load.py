"""Rebuild a model from a directory or a Hub repo: config.json, then verified weights.

A directory is anything holding ``config.json`` and the weight files: a ``save_pretrained``
directory, a training checkpoint (``runs/x/checkpoints/step-...``) or a run directory (its
latest checkpoint). A Hub repo has the ``save_pretrained`` layout; its files come through
``huggingface_hub`` (its cache, ``HF_ENDPOINT``, token and ``HF_HUB_OFFLINE``) and are
checked against their sha256 before ``safetensors`` reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zoo.errors import NotAvailableError, UnknownNameError, ZooError
from zoo.weights import OPTIONAL, REQUIRED, load_weights, verify

CONFIG = "config.json"


def read_config(path: Path, source: str) -> dict[str, Any]:
    """Parse a repo's ``config.json``; it must hold the resolved ``architecture``."""
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ZooError(f"{source}: cannot read {CONFIG} ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("architecture"), dict):
        raise ZooError(f"{source}: {CONFIG} has no 'architecture' (not a zoo model?)")
    return doc


def component_slots(arch: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """``(where, kind, slot)`` for every component an architecture names."""
    slots = [
        ("generator", "generator", arch.get("generator")),
        ("discriminator", "discriminator", arch.get("discriminator")),
        ("objective", "objective", arch.get("objective")),
        ("loss", "loss", arch.get("loss")),
    ]
    slots += [(f"encoders.{k}", "encoder", v) for k, v in (arch.get("encoders") or {}).items()]
    regs = arch.get("regularizers") or []
    slots += [(f"regularizers[{i}]", "regularizer", v) for i, v in enumerate(regs)]
    return slots


def check_components(doc: dict[str, Any], source: str) -> None:
    """Every component the architecture names must be installed; name all that are not."""
    from zoo.registry import get_registry

    slots = component_slots(doc["architecture"])
    registry = get_registry()
    recorded = doc.get("components") or {}
    missing = []
    for where, kind, slot in slots:
        if not isinstance(slot, dict) or not isinstance(slot.get("use"), str):
            raise ZooError(f"{source}: {CONFIG} architecture.{where} is not a component slot")
        try:
            registry.component(kind, slot["use"])
        except UnknownNameError:
            origin = (recorded.get(where) or {}).get("distribution")
            hint = f" (it came from {origin}: `pip install {origin}`)" if origin else ""
            missing.append(f"{kind} {slot['use']!r}{hint}")
    if missing:
        raise ZooError(
            f"{source} needs {', '.join(missing)}, which no installed plugin provides; install "
            "the plugin that does (`zoo components` lists what is installed)"
        )


def build_from(doc: dict[str, Any], files: dict[str, Path], source: str, provenance: dict):
    """Build the architecture in ``doc`` and load ``files`` (already verified) into it."""
    from zoo.factory import build

    check_components(doc, source)
    model = build(doc["architecture"])
    load_weights(model, files, source)
    model.provenance = provenance
    return model


def _local_dir(path: str | Path) -> Path:
    from zoo.training.checkpoint import find

    path = Path(path).expanduser()
    if not path.exists():
        raise ZooError(f"local-dir: {path} does not exist")
    return find(path)


def load_local(path: str | Path, sha256: dict[str, str] | None = None):
    """``zoo.create("local-dir:PATH")``: a save_pretrained dir, checkpoint or run dir."""
    directory = _local_dir(path)
    source = str(directory)
    doc = read_config(directory / CONFIG, source)
    files = {n: directory / n for n in REQUIRED + OPTIONAL if (directory / n).is_file()}
    hashes = verify(files, sha256 or doc.get("files") or {}, source)
    provenance: dict[str, Any] = {
        "source": "local-dir",
        "path": str(directory.resolve()),
        "sha256": hashes,
        "step": _step(directory, doc),
        "training": doc.get("training"),
    }
    return build_from(doc, files, source, provenance)


def _step(directory: Path, doc: dict[str, Any]) -> int | None:
    state = directory / "training_state.json"
    if state.is_file():
        return json.loads(state.read_text()).get("step")
    return (doc.get("training") or {}).get("step")


def parse_hub_name(spec: str) -> tuple[str, str | None]:
    """``"org/name@rev"`` -> ``("org/name", "rev")``; no ``@`` gives ``None``."""
    repo, _, revision = spec.partition("@")
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise UnknownNameError(
            f"hf-hub:{spec}: expected hf-hub:ORG/NAME or hf-hub:ORG/NAME@REVISION"
        )
    return repo, revision or None


def _download(repo: str, filename: str, revision: str | None, *, optional: bool = False):
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    at = f"{repo}@{revision or 'main'}"
    try:
        return Path(hf_hub_download(repo, filename, revision=revision))
    except GatedRepoError:
        raise ZooError(f"{repo} is gated: accept its conditions on the Hub, then log in") from None
    except RepositoryNotFoundError:
        raise ZooError(
            f"hub repo {repo!r} not found at {constants.ENDPOINT} (check the name; a private "
            "repo needs a token: `hf auth login` or HF_TOKEN)"
        ) from None
    except RevisionNotFoundError:
        raise ZooError(
            f"{repo} has no revision {revision!r} (a branch, tag or commit id)"
        ) from None
    except RemoteEntryNotFoundError:
        if optional:
            return None
        raise ZooError(f"{at} has no file {filename} (not a zoo model repo?)") from None
    except LocalEntryNotFoundError as exc:
        if constants.is_offline_mode():
            raise NotAvailableError(
                f"{at}: HF_HUB_OFFLINE is set and {filename} is not in the cache "
                f"({constants.HF_HUB_CACHE}); unset HF_HUB_OFFLINE to download it once"
            ) from None
        raise NotAvailableError(
            f"{at}: cannot download {filename} from {constants.ENDPOINT} and it is not cached "
            f"({exc.__cause__ or exc})"
        ) from None
    except HfHubHTTPError as exc:
        first = str(exc).splitlines()[0]
        raise ZooError(f"{at}: downloading {filename} failed: {first}") from None


def load_hub(spec: str, sha256: dict[str, str] | None = None, *, expect_arch: str | None = None):
    """``zoo.create("hf-hub:ORG/NAME[@REVISION]")``.

    Args:
        spec: ``ORG/NAME`` or ``ORG/NAME@REVISION`` (branch, tag or commit id).
        sha256: expected hashes per file (a registry tag's); default the repo's own manifest
            in config.json, which catches corruption but not a replaced repo.
        expect_arch: the architecture the repo must hold (a registry tag's architecture).
    """
    repo, revision = parse_hub_name(spec)
    source = f"hf-hub:{repo}@{revision or 'main'}"
    config_path = _download(repo, CONFIG, revision)
    # the commit the revision resolved to: the snapshot directory is named after it
    commit = config_path.parent.name
    revision = revision if revision and len(revision) == 40 else commit
    doc = read_config(config_path, source)
    if expect_arch is not None and doc["architecture"].get("name") != expect_arch:
        raise ZooError(
            f"{source} holds {doc['architecture'].get('name')!r}, not {expect_arch!r}: fix the "
            "tag's hub/revision in the registry"
        )
    manifest = doc.get("files") or {}
    expected = dict(sha256 or manifest)
    names = [n for n in REQUIRED + OPTIONAL if n in manifest or n in expected] if manifest else None
    files: dict[str, Path] = {}
    for name in names or REQUIRED + OPTIONAL:
        path = _download(repo, name, revision, optional=names is None and name in OPTIONAL)
        if path is not None:
            files[name] = path
    hashes = verify(files, expected, source)
    provenance = {
        "source": "hf-hub",
        "repo": repo,
        "revision": revision,
        "sha256": hashes,
        "step": (doc.get("training") or {}).get("step"),
        "training": doc.get("training"),
    }
    return build_from(doc, files, source, provenance)
