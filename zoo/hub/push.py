"""``push_to_hub``: a saved model goes to a Hub model repo in one commit."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoo.errors import ZooError
from zoo.hub.export import ALLOWED_SUFFIXES, save_pretrained


@dataclass
class PushResult:
    """What a push made: the repo, the branch, the commit and each file's sha256."""

    repo_id: str
    branch: str
    commit: str
    url: str
    sha256: dict[str, str]

    def tag_yaml(self, tag: str = "TAG") -> str:
        """A registry ``pretrained`` entry that pins this commit and these files."""
        lines = [f"{tag}:", f"  hub: {self.repo_id}", f"  revision: {self.commit}", "  sha256:"]
        lines += [f"    {name}: {digest}" for name, digest in sorted(self.sha256.items())]
        return "\n".join(lines)


def push_folder(
    folder: str | Path,
    repo_id: str,
    *,
    branch: str | None = None,
    private: bool | None = None,
    token: str | None = None,
    commit_message: str | None = None,
) -> PushResult:
    """Upload a ``save_pretrained`` directory as one commit (repo and branch made if missing).

    Raises:
        ZooError: the folder holds a file that is not safetensors/JSON/Markdown/PNG, or the
            Hub refused (message from the Hub).
    """
    from huggingface_hub import CommitOperationAdd, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    from zoo.weights import sha256_file

    folder = Path(folder)
    paths = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    bad = [p.name for p in paths if p.suffix not in ALLOWED_SUFFIXES]
    if bad:
        raise ZooError(
            f"refusing to push {', '.join(bad)}: a zoo repo holds only safetensors, JSON, "
            "Markdown and PNG files"
        )
    if not (folder / "config.json").is_file():
        raise ZooError(f"{folder} has no config.json: save it with save_pretrained first")
    api = HfApi(token=token)
    revision = branch or "main"
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        if branch and branch != "main":
            api.create_branch(repo_id, branch=branch, exist_ok=True)
        operations = [CommitOperationAdd(p.name, str(p)) for p in paths]
        info = api.create_commit(
            repo_id,
            operations,
            commit_message=commit_message or f"Upload {folder.name} with zoo",
            revision=revision,
        )
    except HfHubHTTPError as exc:
        first = str(exc).splitlines()[0]
        raise ZooError(f"pushing to {repo_id}@{revision} failed: {first}") from None
    digests = {p.name: sha256_file(p) for p in paths if p.suffix == ".safetensors"}
    return PushResult(repo_id, revision, info.oid, info.commit_url, digests)


def push_to_hub(model: Any, repo_id: str, **kwargs: Any) -> PushResult:
    """Save ``model`` (``save_pretrained``) to a temporary directory and push it.

    Keyword arguments are those of :func:`push_folder` plus ``metrics`` and ``license`` for the
    model card.
    """
    card = {k: kwargs.pop(k) for k in ("metrics", "license") if k in kwargs}
    with tempfile.TemporaryDirectory(prefix="zoo-push-") as tmp:
        folder = save_pretrained(model, Path(tmp) / "model", repo_id=repo_id, **card)
        return push_folder(folder, repo_id, **kwargs)
