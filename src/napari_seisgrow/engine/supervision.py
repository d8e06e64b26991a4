"""Whether the seeds are sparse strokes (learn from the unlabelled volume too) or dense sections.

Cross pseudo supervision and the label-update stage add what a few strokes cannot: evidence from
the unlabelled volume. When the painted sections are labelled almost everywhere, that evidence is
already there, and the networks' own grown labels mostly add their mistakes: measured with two
fully labelled inlines, the networks trained on their grown labels lost a thin unit's class that
the seeds alone taught them (docs/benchmarks.md, "Dense labels").
"""

from __future__ import annotations

import numpy as np

DENSE_SHARE = 0.5  # a section labelled on at least this share of its pixels is densely labelled


def painted_share(flat: np.ndarray, shape: tuple[int, int, int]) -> float:
    """The share of the painted voxels that lie in densely labelled sections (``DENSE_SHARE``),
    along whichever axis (inlines or crosslines) gives more: 1.0 for fully labelled inlines, also
    with a stroke painted across them; 0 for strokes. ``flat`` holds the flat positions of the
    painted voxels.

    By the voxels, not by the sections: one stroke across many inlines makes each of them a
    painted section, and averaging over those would call two labelled inlines sparse. Only planes
    of more than one trace are sections: on a 2-D line the crossline planes are single traces,
    which one stroke down a trace fills."""
    ni, nx, nt = shape
    flat = np.asarray(flat, dtype=np.int64)
    if flat.size == 0 or nt < 2:
        return 0.0
    best = 0.0
    for index, plane, traces in ((flat // (nx * nt), nx * nt, nx), ((flat // nt) % nx, ni * nt, ni)):
        if traces < 2:
            continue
        counts = np.bincount(index)
        dense = counts >= DENSE_SHARE * plane
        best = max(best, float(counts[dense].sum()) / flat.size)
    return best


def use_semi_supervision(setting: str, share: float) -> bool:
    """``semi_supervised`` resolved: ``auto`` is on for strokes and off for dense sections (most
    painted voxels in densely labelled sections)."""
    if setting == "auto":
        return share < 0.5
    return setting == "on"
