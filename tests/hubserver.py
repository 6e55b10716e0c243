"""A small Hugging Face Hub on 127.0.0.1 for the tests.

It speaks the part of the Hub HTTP API that the real ``huggingface_hub`` client uses to
create a repo, validate a model card, pre-upload, upload LFS objects (basic transfer), commit
(regular and LFS files), create a branch, read repo info and resolve/download files. The
requests and responses follow the client's source (``hf_api.create_repo``,
``_commit_api._fetch_upload_modes`` / ``_send_commit``, ``lfs.post_lfs_batch_info`` /
``lfs_upload``, ``file_download.get_hf_file_metadata`` / ``http_get``).

It is honest: it stores exactly what is uploaded (LFS objects are checked against their
sha256 and size), every commit is an immutable snapshot addressed by a 40-hex id, branches
move, and it serves exactly the stored bytes. Writes need a bearer token; private repos need
one for reads too. The client must run with ``HF_HUB_DISABLE_XET=1`` (this server has no Xet
storage, so it never advertises it).

Use::

    with HubServer() as hub:
        os.environ["HF_ENDPOINT"] = hub.url
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

LFS_MIN_SIZE = 10 * 1024 * 1024
_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class StoredFile:
    data: bytes
    lfs: bool

    @property
    def oid(self) -> str:
        return hashlib.sha256(self.data).hexdigest() if self.lfs else git_blob_sha1(self.data)


@dataclass
class Commit:
    oid: str
    parent: str | None
    message: str
    files: dict[str, StoredFile]


@dataclass
class Repo:
    repo_id: str
    private: bool
    commits: dict[str, Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)

    def resolve(self, revision: str) -> Commit | None:
        if revision in self.branches:
            return self.commits[self.branches[revision]]
        return self.commits.get(revision) if _COMMIT_RE.match(revision) else None


class HubState:
    """Everything the server stores: repos, their commits, and the LFS objects."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.lfs: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self._counter = 0

    def new_commit(self, repo: Repo, parent: str | None, message: str, files: dict) -> Commit:
        self._counter += 1
        payload = json.dumps(
            [
                repo.repo_id,
                parent,
                message,
                self._counter,
                sorted((p, f.oid) for p, f in files.items()),
            ]
        )
        commit = Commit(hashlib.sha1(payload.encode()).hexdigest(), parent, message, files)
        repo.commits[commit.oid] = commit
        return commit


class _Error(Exception):
    def __init__(self, status: int, message: str, code=None, headers=None, body=None):
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers or {}
        self.body = body or {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- plumbing ------------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: Any, headers: dict | None = None) -> None:
        body = json.dumps(obj).encode()
        self._send(status, body, {"Content-Type": "application/json", **(headers or {})})

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") and len(auth) > 7 else None

    def _need_token(self) -> None:
        if self._token() is None:
            raise _Error(401, "Invalid credentials in Authorization header")

    def _repo(self, repo_id: str, write: bool = False) -> Repo:
        repo = self.server.state.repos.get(repo_id)
        if repo is None or (repo.private and self._token() is None):
            raise _Error(404, f"Repository Not Found for url: {self.path}", "RepoNotFound")
        if write:
            self._need_token()
        return repo

    def _dispatch(self) -> None:
        path = unquote(urlsplit(self.path).path)
        state = self.server.state
        state.requests.append((self.command, path))
        try:
            with state.lock:
                for method, pattern, handler in _ROUTES:
                    match = re.fullmatch(pattern, path)
                    if match and (
                        self.command == method or (method, self.command) == ("GET", "HEAD")
                    ):
                        return handler(self, *match.groups())
            raise _Error(404, f"no route for {self.command} {path}")
        except _Error as err:
            headers = dict(err.headers)
            if err.code:
                headers["X-Error-Code"] = err.code
            headers["X-Error-Message"] = str(err)
            self._json(err.status, {"error": str(err), **err.body}, headers)

    do_GET = do_HEAD = do_POST = do_PUT = _dispatch

    # -- repos ---------------------------------------------------------------------------
    def create_repo(self) -> None:
        self._need_token()
        body = json.loads(self._body())
        if body.get("type", "model") != "model":
            raise _Error(400, "this test hub only holds model repos")
        repo_id = (
            f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
        )
        state = self.server.state
        if repo_id in state.repos:
            # the Hub answers a conflict with the existing repo's url (create_repo reads it)
            url = f"{self.server.url}/{repo_id}"
            raise _Error(409, "You already created this model repo", body={"url": url})
        repo = Repo(repo_id, body.get("visibility") == "private")
        state.repos[repo_id] = repo
        first = state.new_commit(repo, None, "initial commit", {})
        repo.branches["main"] = first.oid
        self._json(200, {"url": f"{self.server.url}/{repo_id}", "name": repo_id})

    def repo_info(self, repo_id: str, revision: str | None = None) -> None:
        repo = self._repo(repo_id)
        commit = repo.resolve(revision or "main")
        if commit is None:
            raise _Error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        siblings = [{"rfilename": p} for p in sorted(commit.files)]
        self._json(
            200,
            {
                "id": repo_id,
                "modelId": repo_id,
                "sha": commit.oid,
                "private": repo.private,
                "siblings": siblings,
                "tags": [],
                "downloads": 0,
                "likes": 0,
            },
        )

    def create_branch(self, repo_id: str, branch: str) -> None:
        repo = self._repo(repo_id, write=True)
        if branch in repo.branches:
            raise _Error(409, f"Reference already exists: refs/heads/{branch}")
        raw = self._body()
        start = (json.loads(raw).get("startingPoint") if raw else None) or "main"
        commit = repo.resolve(start)
        if commit is None:
            raise _Error(404, f"Invalid rev id: {start}", "RevisionNotFound")
        repo.branches[branch] = commit.oid
        self._json(200, {})

    def validate_yaml(self) -> None:
        content = json.loads(self._body())["content"]
        errors = []
        if content.startswith("---"):
            try:
                yaml.safe_load(content.split("---", 2)[1])
            except yaml.YAMLError as exc:
                errors.append({"message": str(exc)})
        self._json(400 if errors else 200, {"errors": errors, "warnings": []})

    # -- upload --------------------------------------------------------------------------
    def preupload(self, repo_id: str, revision: str) -> None:
        repo = self._repo(repo_id, write=True)
        commit = repo.resolve(revision)
        files = []
        for f in json.loads(self._body())["files"]:
            sample = base64.b64decode(f["sample"])
            lfs = f["size"] >= LFS_MIN_SIZE or b"\0" in sample or f["path"].endswith(".safetensors")
            existing = commit.files.get(f["path"]) if commit else None
            files.append(
                {
                    "path": f["path"],
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": False,
                    "oid": existing.oid if existing else None,
                }
            )
        self._json(200, {"files": files, "commitOid": commit.oid if commit else None})

    def lfs_batch(self, repo_id: str) -> None:
        self._repo(repo_id, write=True)
        body = json.loads(self._body())
        objects = []
        for obj in body["objects"]:
            entry = {"oid": obj["oid"], "size": obj["size"]}
            if obj["oid"] not in self.server.state.lfs:
                entry["actions"] = {
                    "upload": {"href": f"{self.server.url}/lfs-upload/{obj['oid']}/{obj['size']}"},
                    "verify": {"href": f"{self.server.url}/lfs-verify"},
                }
            objects.append(entry)
        self._json(200, {"transfer": "basic", "objects": objects})

    def lfs_upload(self, oid: str, size: str) -> None:
        data = self._body()
        if hashlib.sha256(data).hexdigest() != oid or len(data) != int(size):
            raise _Error(400, "uploaded content does not match its oid and size")
        self.server.state.lfs[oid] = data
        self._send(200)

    def lfs_verify(self) -> None:
        body = json.loads(self._body())
        data = self.server.state.lfs.get(body["oid"])
        if data is None or len(data) != body["size"]:
            raise _Error(404, f"LFS object {body['oid']} not found")
        self._json(200, {})

    def commit(self, repo_id: str, revision: str) -> None:
        repo = self._repo(repo_id, write=True)
        if revision not in repo.branches:
            raise _Error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        lines = [json.loads(line) for line in self._body().splitlines() if line.strip()]
        header = next(x["value"] for x in lines if x["key"] == "header")
        head = repo.branches[revision]
        if header.get("parentCommit") not in (None, head):
            raise _Error(412, "A commit has happened since. Please refresh and try again.")
        files = dict(repo.commits[head].files)
        for item in lines:
            key, value = item["key"], item["value"]
            if key == "file":
                files[value["path"]] = StoredFile(base64.b64decode(value["content"]), lfs=False)
            elif key == "lfsFile":
                data = self.server.state.lfs.get(value["oid"])
                if data is None:
                    raise _Error(422, f"LFS object {value['oid']} was never uploaded")
                files[value["path"]] = StoredFile(data, lfs=True)
            elif key == "deletedFile":
                if files.pop(value["path"], None) is None:
                    raise _Error(404, "A file with this name doesn't exist", "EntryNotFound")
            elif key != "header":
                raise _Error(400, f"unsupported commit operation {key!r}")
        commit = self.server.state.new_commit(repo, head, header["summary"], files)
        repo.branches[revision] = commit.oid
        self._json(
            200,
            {
                "commitUrl": f"{self.server.url}/{repo_id}/commit/{commit.oid}",
                "commitOid": commit.oid,
                "pullRequestUrl": None,
                "success": True,
            },
        )

    # -- download ------------------------------------------------------------------------
    def resolve(self, repo_id: str, revision: str, filename: str) -> None:
        repo = self._repo(repo_id)
        commit = repo.resolve(revision)
        if commit is None:
            raise _Error(404, f"Invalid rev id: {revision}", "RevisionNotFound")
        stored = commit.files.get(filename)
        if stored is None:
            raise _Error(
                404, f"Entry not found: {filename}", "EntryNotFound", {"X-Repo-Commit": commit.oid}
            )
        headers = {"X-Repo-Commit": commit.oid, "Accept-Ranges": "bytes"}
        if stored.lfs:
            headers["X-Linked-Etag"] = f'"{stored.oid}"'
            headers["X-Linked-Size"] = len(stored.data)
        headers["ETag"] = f'"{stored.oid}"'
        data = stored.data
        start = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if start and self.command == "GET":
            data = data[int(start[1]) :]
            headers["Content-Range"] = f"bytes {start[1]}-{len(stored.data) - 1}/{len(stored.data)}"
            return self._send(206, data, headers)
        self._send(200, data, headers)


_REPO = r"([\w.-]+/[\w.-]+)"
_ROUTES = [
    ("POST", r"/api/repos/create", _Handler.create_repo),
    ("POST", r"/api/validate-yaml", _Handler.validate_yaml),
    ("GET", rf"/api/models/{_REPO}", _Handler.repo_info),
    ("GET", rf"/api/models/{_REPO}/revision/(.+)", _Handler.repo_info),
    ("POST", rf"/api/models/{_REPO}/branch/(.+)", _Handler.create_branch),
    ("POST", rf"/api/models/{_REPO}/preupload/(.+)", _Handler.preupload),
    ("POST", rf"/api/models/{_REPO}/commit/(.+)", _Handler.commit),
    ("POST", rf"/{_REPO}\.git/info/lfs/objects/batch", _Handler.lfs_batch),
    ("PUT", r"/lfs-upload/([0-9a-f]{64})/(\d+)", _Handler.lfs_upload),
    ("POST", r"/lfs-verify", _Handler.lfs_verify),
    ("GET", rf"/{_REPO}/resolve/([^/]+)/(.+)", _Handler.resolve),
]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: HubState
    url: str


class HubServer:
    """Run the test hub in a background thread; ``url`` is its ``HF_ENDPOINT``."""

    def __init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state = HubState()
        self.url = self._server.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def files(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        """The files of a repo at a revision, as stored."""
        commit = self.state.repos[repo_id].resolve(revision)
        assert commit is not None
        return {path: f.data for path, f in commit.files.items()}
