"""Preparing amplitudes and seeds for training, with the checks that keep users' work safe."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import ndimage

from ..io import validate_labels
from ..io.errors import SeisgrowError

PERCENTILE_SAMPLE = 4_000_000


def normalise(data: Any, percentile: float = 99.5) -> tuple[np.ndarray, float]:
    """float32 copy clipped at a percentile of |a| and scaled to [-1, 1]; returns (array, scale).

    NaN/inf and constant volumes are input errors: a network cannot learn from either.
    """
    arr, scale = checked_scale(data, percentile)
    out = arr / np.float32(scale)  # a new array: the caller's data is never written
    np.clip(out, -1.0, 1.0, out=out)
    return out, scale


def checked_scale(data: Any, percentile: float = 99.5) -> tuple[np.ndarray, float]:
    """The volume as a 3-D float32 array (the caller's own when it is one already: no copy) and
    the clipping scale ``normalise`` divides by, after the same checks. ``lazy.Amplitudes`` on
    the pair reads what ``normalise`` would return, bit for bit, without holding a copy."""
    arr = np.asarray(data, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise SeisgrowError(f"the volume has {arr.ndim} dimensions; expected (inline, crossline, sample)")
    if not np.isfinite(arr).all():
        raise SeisgrowError("the volume has NaN or infinite amplitudes; fix or mask them first")
    stride = max(1, arr.size // PERCENTILE_SAMPLE)
    sample = np.abs(arr.ravel()[::stride])
    scale = float(np.percentile(sample, percentile))
    if scale <= 0:
        scale = float(sample.max())
    if scale <= 0 or float(arr.max()) == float(arr.min()):
        raise SeisgrowError("the volume's amplitudes are constant; there is nothing to learn from")
    return arr, scale


def check_seeds(seeds: Any, shape: tuple[int, ...]) -> np.ndarray:
    """A read-only uint8 copy of the seeds, or a one-line reason they cannot be trained on."""
    arr = validate_labels(seeds, shape, what="seeds")
    arr = np.array(arr, dtype=np.uint8, copy=True)
    enough_classes(np.unique(arr[arr > 0]))
    arr.flags.writeable = False
    return arr


def enough_classes(classes: np.ndarray) -> None:
    """A one-line reason when the painted classes cannot be trained on: none, or only one."""
    if len(classes) == 0:
        raise SeisgrowError("there are no seeds; paint at least two classes first")
    if len(classes) == 1:
        raise SeisgrowError(f"the seeds hold only class {int(classes[0])}; paint at least two classes")


def split_holdout(seeds: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Hold out whole strokes (connected seed components), never a class's last stroke."""
    train = np.array(seeds, copy=True)
    held = np.zeros_like(seeds)
    if fraction <= 0:
        return train, held
    for c in np.unique(seeds[seeds > 0]):
        comps, n = ndimage.label(seeds == c, structure=np.ones((3, 3, 3), bool))
        if n < 2:
            continue
        k = min(n - 1, max(1, round(fraction * n)))
        for comp in rng.choice(np.arange(1, n + 1), size=k, replace=False):
            m = comps == comp
            held[m] = c
            train[m] = 0
    return train, held


def keep_holdout(
    seeds: np.ndarray, old_train: np.ndarray, old_holdout: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Split new seeds so that no stroke changes sides: a stroke that overlaps a held-out stroke
    of its class stays held out, one that overlaps a trained stroke stays in training, and only
    strokes painted since can be held out (``fraction`` of them, never a class's last one)."""
    train = np.array(seeds, copy=True)
    held = np.zeros_like(seeds)
    if fraction <= 0 and not (old_holdout > 0).any():
        return train, held
    for c in np.unique(seeds[seeds > 0]):
        comps, n = ndimage.label(seeds == c, structure=np.ones((3, 3, 3), bool))
        if n == 0:
            continue
        ids = np.arange(1, n + 1)
        was_held = ndimage.maximum(old_holdout == c, comps, ids).astype(bool)
        was_trained = ndimage.maximum(old_train == c, comps, ids).astype(bool)
        out = list(ids[was_held & ~was_trained])
        new = ids[~was_held & ~was_trained]
        trained = int((was_trained).sum()) + len(new)
        if fraction > 0 and len(new):
            k = min(len(new), max(0, round(fraction * len(new))), max(0, trained - 1))
            out += list(rng.choice(new, size=k, replace=False)) if k else []
        for comp in out:
            m = comps == comp
            held[m] = c
            train[m] = 0
    return train, held
