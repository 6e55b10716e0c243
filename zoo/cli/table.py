"""Aligned plain-text tables for human output (``--json`` is for machines)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence


def render(
    headers: Sequence[str], rows: Sequence[Sequence[object]], width: int | None = None
) -> str:
    """Columns padded to their widest cell; the last column is cut to fit the terminal."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    width = width or shutil.get_terminal_size((120, 20)).columns
    room = max(width - sum(widths[:-1]) - 2 * (len(widths) - 1), 20)
    lines = []
    for row in cells:
        last = row[-1] if len(row[-1]) <= room else row[-1][: room - 3] + "..."
        padded = [c.ljust(w) for c, w in zip(row[:-1], widths[:-1], strict=True)] + [last]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
