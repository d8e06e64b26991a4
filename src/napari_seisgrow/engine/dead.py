"""Which samples hold no data: a mute above an irregular front, a dead trace, padding.

One definition for the whole engine (the coordinate's dips and correlations, the live mask that
growth, the layering and the suggestions use): a run of at least ``DEAD_RUN`` exact zeros down a
trace. A lone zero is data, a signal crossing zero rounded to 0; 16- and 8-bit SEG-Y hold them by
the thousand, and counting them dead would leave holes in growth and drop them from the
strokes' and layers' statistics.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

DEAD_RUN = 5  # (odd) zeros in a row down a trace that make them dead, not rounded live samples


def dead_samples(x: np.ndarray) -> np.ndarray | None:
    """Samples in a run of at least ``DEAD_RUN`` zeros along the last axis; None where there is none."""
    zero = np.asarray(x) == 0
    if not zero.any():
        return None
    full = ndimage.minimum_filter1d(zero, DEAD_RUN, axis=-1, mode="constant")  # windows of zeros only
    dead = ndimage.maximum_filter1d(full, DEAD_RUN, axis=-1, mode="constant")
    return dead if dead.any() else None


def live_samples(x: np.ndarray) -> np.ndarray:
    """Samples that hold data (``dead_samples`` negated), as a new bool array."""
    dead = dead_samples(x)
    return np.ones(np.shape(x), bool) if dead is None else ~dead
