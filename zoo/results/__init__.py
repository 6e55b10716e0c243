"""The results store (SQLite) and the leaderboard rendered from it."""

from zoo.results.store import ResultsStore, default_db

__all__ = ["ResultsStore", "default_db"]
