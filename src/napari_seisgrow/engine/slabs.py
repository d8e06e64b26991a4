"""Runs of inlines to work through a volume a few at a time.

Whole-volume numpy expressions make temporaries of their own: a difference, a rounding, an int64
copy for ``bincount``, a float64 result of ``interp``. On a survey those are several times the
volume's size, and the peak of a run is where they pile up. Working a slab of inlines at a time
keeps each temporary to a slab and gives the same result.
"""

from __future__ import annotations

import math

import numpy as np

SLAB_VOXELS = 2_000_000  # tens of MB of temporaries, still long runs for numpy; about 25 ms of cc3d on a laptop core


def inline_step(shape: tuple[int, ...], voxels: int | None = None) -> int:
    """How many inlines make a slab of about ``voxels`` (default ``SLAB_VOXELS``) voxels: at least one."""
    return max(1, (voxels or SLAB_VOXELS) // max(1, math.prod(int(n) for n in shape[1:])))


def inline_slabs(shape: tuple[int, ...], voxels: int | None = None) -> list[slice]:
    """Slices of the first axis, ``inline_step`` inlines each (the last one shorter), covering it in order."""
    step = inline_step(shape, voxels)
    return [slice(a, min(shape[0], a + step)) for a in range(0, shape[0], step)]


def value_counts(values: np.ndarray, minlength: int = 0) -> np.ndarray:
    """``np.bincount(values.ravel(), minlength=minlength)`` of non-negative integers, a slab of
    inlines at a time: ``bincount`` copies its input to int64, 8 bytes a voxel of the whole volume."""
    total = np.zeros(minlength, np.int64)
    for s in inline_slabs(values.shape):
        counts = np.bincount(np.asarray(values[s]).ravel(), minlength=minlength)
        if len(counts) > len(total):
            total = np.pad(total, (0, len(counts) - len(total)))
        total[: len(counts)] += counts
    return total
