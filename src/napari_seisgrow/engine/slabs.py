"""Runs of inlines to work through a volume a few at a time.

Whole-volume numpy expressions make temporaries of their own: a difference, a rounding, an int64
copy for ``bincount``, a float64 result of ``interp``. On a survey those are several times the
volume's size, and the peak of a run is where they pile up. Working a slab of inlines at a time
keeps each temporary to a slab and gives the same result.
"""

from __future__ import annotations

SLAB_VOXELS = 2_000_000  # voxels per slab: tens of MB of temporaries, still long runs for numpy


def inline_slabs(shape: tuple[int, ...], voxels: int | None = None) -> list[slice]:
    """Slices of the first axis, each about ``voxels`` (default ``SLAB_VOXELS``) voxels and at
    least one inline, covering it in order."""
    step = max(1, (voxels or SLAB_VOXELS) // max(1, _size(shape[1:])))
    return [slice(a, min(shape[0], a + step)) for a in range(0, shape[0], step)]


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n
