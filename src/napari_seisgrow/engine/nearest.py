"""The class of the nearest labelled voxel, without a per-voxel array of its coordinates.

The completion fills every open voxel of the flattened volume with the class of the nearest
labelled one, under a distance that weighs each axis (``sampling``). ``scipy.ndimage.
distance_transform_edt(return_indices=True)`` answers that by returning the nearest voxel's
coordinates: three int32 per voxel, with its own int8 copy of the input, which made the fill the
largest step of a whole run (docs/benchmarks.md). Only the class is needed. The squared Euclidean
distance is separable (Felzenszwalb and Huttenlocher, "Distance transforms of sampled
functions", 2012): one pass per axis replaces, along every line, each voxel's value by the lowest
of the parabolas the earlier passes left, and a parabola can carry its class instead of its
coordinates. That needs one float32 per voxel beside the labels, in place: 5 bytes a voxel
against 15.

The distances are scipy's (float32 rounding aside); where two labelled voxels of different
classes are equally near, the choice between them can differ from scipy's, whose tie-breaking
follows the coordinates this does not keep. The loop is compiled with numba (a dependency for the
IBM conversion already) and runs in parallel over lines without the GIL, so a viewer stays
responsive; building it the first time (a few seconds, then read from numba's cache) holds it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_ONE_AT_A_TIME = threading.Lock()  # numba's workqueue threading layer (no OpenMP) aborts on concurrent parallel calls
_warming: threading.Thread | None = None


def _compiled_pass() -> Callable[..., Any]:
    """One axis's pass (``_nearest_kernels.one_pass``), compiled on first use or read from numba's cache."""
    from ._nearest_kernels import one_pass

    return one_pass


def nearest_labels(labels: np.ndarray, sampling: Sequence[float]) -> np.ndarray:
    """Every 0 of ``labels`` (3-D uint8) given the class of the nearest non-zero voxel, the
    distance along axis ``a`` counting ``sampling[a]`` per step; in place, and returned. Left
    as it is when nothing is labelled."""
    if labels.ndim != 3 or labels.dtype != np.uint8 or not labels.flags.c_contiguous:
        raise ValueError("nearest_labels wants a C-contiguous 3-D uint8 array")
    if not all(0 < float(w) < np.inf for w in sampling):
        raise ValueError("nearest_labels wants a positive, finite step along every axis")
    if not labels.any():
        return labels
    g = np.where(labels > 0, np.float32(0), np.float32(np.inf))
    one_pass = _compiled_pass()
    with _ONE_AT_A_TIME:
        for axis in (2, 1, 0):  # the rows first: most lines find a labelled voxel in their own trace
            if labels.shape[axis] > 1:
                one_pass(g, labels, axis, float(sampling[axis]))
    return labels


def warm_up() -> None:
    """Load the compiled pass (or build it) now, by filling a 2 x 2 x 2 volume with the dtypes of a
    real fill.

    The first fill of a process otherwise does it in the middle of a run: importing numba and
    reading the loop from its cache holds the GIL for about 0.1 s (building it, for seconds), and
    the viewer stalls that long near the end of the first training (docs/benchmarks.md)."""
    labels = np.zeros((2, 2, 2), np.uint8)
    labels[0, 0, 0] = 1
    nearest_labels(labels, (1.0, 1.0, 1.0))


def warm_up_in_background() -> threading.Thread:
    """``warm_up`` in a daemon thread, once per process (later calls return the same thread).
    A failure here is left to the first real fill, which reports it."""
    global _warming
    if _warming is None:
        _warming = threading.Thread(target=_warm_quietly, name="seisgrow-warm-up", daemon=True)
        _warming.start()
    return _warming


def _warm_quietly() -> None:
    try:
        warm_up()
    except Exception:  # the first real fill raises the same error, where it can be reported
        pass
