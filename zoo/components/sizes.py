"""Size arithmetic shared by the convolutional networks that grow from (or shrink to) 4x4."""

from __future__ import annotations

import math


def doublings(resolution: int) -> int:
    """How many x2 steps lead from 4x4 to ``resolution``; it must be 4 * 2**k with k >= 1."""
    n = int(math.log2(max(resolution // 4, 1)))
    if n < 1 or 4 * 2**n != resolution:
        raise ValueError(f"needs a resolution of 4 * 2**k (8, 16, 32, ...), got {resolution}")
    return n
