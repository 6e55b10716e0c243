"""One SQLite file holds every benchmark result with the protocol that produced it.

One row per (model, metric). ``protocol`` is the full JSON (see DESIGN.md, "Evaluation
protocol"); ``protocol_hash`` is the sha256 of its comparable part (everything but the
device and git revision, which are kept as provenance) and is indexed: results are ranked
only against results with the same hash.

Safe under concurrent writers: WAL journal, a 60 s busy timeout, each write one
``BEGIN IMMEDIATE`` transaction, retried on "database is locked".
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoo.errors import ZooError

#: Protocol fields recorded but left out of the hash (provenance, not definition).
NOT_HASHED = ("device", "git_revision")

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    run_id TEXT NOT NULL,
    model TEXT NOT NULL,
    architecture TEXT NOT NULL,
    series TEXT NOT NULL,
    step INTEGER,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    protocol_hash TEXT NOT NULL,
    protocol TEXT NOT NULL,
    provenance TEXT NOT NULL,
    grid TEXT
);
CREATE INDEX IF NOT EXISTS results_protocol ON results (protocol_hash);
CREATE INDEX IF NOT EXISTS results_series ON results (series, protocol_hash);
"""


def protocol_hash(protocol: dict[str, Any]) -> str:
    """sha256 of the protocol's comparable fields (canonical JSON)."""
    comparable = {k: v for k, v in protocol.items() if k not in NOT_HASHED}
    return hashlib.sha256(json.dumps(comparable, sort_keys=True).encode()).hexdigest()


def default_db() -> Path:
    """``$ZOO_RESULTS_DB``, else ``$XDG_CACHE_HOME/zoo/results.sqlite`` (``~/.cache``)."""
    if os.environ.get("ZOO_RESULTS_DB"):
        return Path(os.environ["ZOO_RESULTS_DB"]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "zoo" / "results.sqlite"


@dataclass
class Result:
    """One stored score."""

    id: int
    created: str
    run_id: str
    model: str
    architecture: str
    series: str
    step: int | None
    metric: str
    value: float
    protocol_hash: str
    protocol: dict[str, Any]
    provenance: dict[str, Any]
    grid: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ResultsStore:
    """The results database at ``path`` (created on first use)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path).expanduser() if path else default_db()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as con:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ZooError(f"{self.path} is not a zoo results database ({exc})") from None

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
        con.execute("PRAGMA busy_timeout = 60000")
        return con

    def add(
        self,
        *,
        run_id: str,
        model: str,
        architecture: str,
        series: str,
        step: int | None,
        scores: dict[str, float],
        protocol: dict[str, Any],
        provenance: dict[str, Any],
        grid: str | None = None,
    ) -> list[int]:
        """Store one benchmark run's scores (one row each) in a single transaction."""
        digest = protocol_hash(protocol)
        created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        rows = [
            (
                created,
                run_id,
                model,
                architecture,
                series,
                step,
                metric,
                float(value),
                digest,
                json.dumps(protocol, sort_keys=True),
                json.dumps(provenance, sort_keys=True),
                grid,
            )
            for metric, value in scores.items()
        ]
        for attempt in range(20):
            con = self._connect()
            try:
                con.execute("BEGIN IMMEDIATE")
                ids = []
                for row in rows:
                    cur = con.execute(
                        "INSERT INTO results (created, run_id, model, architecture, series, step,"
                        " metric, value, protocol_hash, protocol, provenance, grid)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
                    ids.append(cur.lastrowid)
                con.execute("COMMIT")
                return ids
            except sqlite3.OperationalError as exc:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(min(0.05 * 2**attempt, 2.0))
            finally:
                con.close()
        raise ZooError(f"{self.path}: database stayed locked; result not stored, retry")

    def results(self, protocol: str | None = None) -> list[Result]:
        """All results (or those of one protocol hash), oldest first."""
        query = "SELECT * FROM results"
        args: tuple = ()
        if protocol:
            query += " WHERE protocol_hash = ?"
            args = (protocol,)
        con = self._connect()
        try:
            con.row_factory = sqlite3.Row
            rows = con.execute(query + " ORDER BY id", args).fetchall()
        finally:
            con.close()
        out = []
        for r in rows:
            d = dict(r)
            d["protocol"] = json.loads(d["protocol"])
            d["provenance"] = json.loads(d["provenance"])
            out.append(Result(**d))
        return out

    def has(self, series: str, step: int | None, protocol: dict[str, Any]) -> bool:
        """Whether this model (series + step) was already benchmarked under ``protocol``."""
        con = self._connect()
        try:
            row = con.execute(
                "SELECT 1 FROM results WHERE series = ? AND step IS ? AND protocol_hash = ?"
                " LIMIT 1",
                (series, step, protocol_hash(protocol)),
            ).fetchone()
        finally:
            con.close()
        return row is not None
