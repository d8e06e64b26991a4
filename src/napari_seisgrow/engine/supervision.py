"""Whether the seeds are sparse strokes (learn from the unlabelled volume too) or dense sections.

Cross pseudo supervision and the label-update stage add what a few strokes cannot: evidence from
the unlabelled volume. When the painted sections are labelled almost everywhere, that evidence is
already there, and the networks' own grown labels mostly add their mistakes: measured with two
fully labelled inlines, the networks trained on their grown labels lost a thin unit's class that
the seeds alone taught them (docs/benchmarks.md, "Dense labels").
"""

from __future__ import annotations

import numpy as np

DENSE_SHARE = 0.5  # painted sections labelled on at least this share of their pixels count as dense


def painted_share(flat: np.ndarray, shape: tuple[int, int, int]) -> float:
    """The labelled share of the pixels of the sections that hold seeds, along whichever axis
    (inlines or crosslines) it is larger: 1.0 for fully labelled inlines, a few hundredths for
    strokes. ``flat`` holds the flat positions of the painted voxels."""
    ni, nx, nt = shape
    flat = np.asarray(flat, dtype=np.int64)
    if flat.size == 0:
        return 0.0
    best = 0.0
    for index, plane in ((flat // (nx * nt), nx * nt), ((flat // nt) % nx, ni * nt)):
        counts = np.bincount(index)
        sections = int((counts > 0).sum())
        best = max(best, float(flat.size) / (sections * plane))
    return best


def use_semi_supervision(setting: str, share: float) -> bool:
    """``semi_supervised`` resolved: ``auto`` is on for strokes and off for dense sections."""
    if setting == "auto":
        return share < DENSE_SHARE
    return setting == "on"
