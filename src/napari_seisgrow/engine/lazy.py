"""Volumes and seeds read on demand, for sessions on volumes larger than memory.

Nothing here reads a whole volume into memory: amplitudes are normalised as they are sliced,
the clipping scale comes from a sample of whole traces, and seeds are scanned one slab of
inlines at a time into the flat positions of the painted voxels (strokes are sparse).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..io.errors import SeisgrowError

SAMPLE_LINES = 48  # inlines x crosslines of whole traces behind the clipping percentile
SCAN_VOXELS = 16_000_000  # seeds are scanned in slabs of about this many voxels


class NpyFile:
    """A .npy file sliced through a memory map opened in whichever process reads it.

    A numpy memmap pickles as a full copy of its data; this pickles as its path, so a dask
    cluster's workers read the file themselves.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        m = np.load(self.path, mmap_mode="r", allow_pickle=False)
        self.shape, self.dtype, self.ndim = tuple(m.shape), m.dtype, m.ndim
        self._map: np.ndarray | None = m

    def __getitem__(self, index: Any) -> np.ndarray:
        if self._map is None:
            self._map = np.load(self.path, mmap_mode="r", allow_pickle=False)
        return self._map[index]

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "shape": self.shape, "dtype": self.dtype, "ndim": self.ndim, "_map": None}


def as_source(data: Any) -> Any:
    """Something sliceable and cheap to ship to a cluster: a file-backed memmap becomes an NpyFile,
    and a dask array made by ``da.from_array`` (napari's lazy layers) gives back what it wraps,
    so a block task reads its window from the file itself."""
    if _is_dask(data):
        inner = _wrapped(data)
        return data if inner is None else as_source(inner)
    if isinstance(data, np.memmap) and getattr(data, "filename", None):
        try:
            f = NpyFile(data.filename)
        except (OSError, ValueError):
            return data
        if f.shape == data.shape and f.dtype == data.dtype:
            return f
    return data


def _is_dask(data: Any) -> bool:
    return type(data).__module__.startswith("dask.")


def _wrapped(data: Any) -> Any:
    """The array-like behind ``da.from_array(obj)`` when the dask array is nothing more than that."""
    layers = dict(data.dask.layers)
    if len(layers) != 2:
        return None
    for name, layer in layers.items():
        if name.startswith("original-array-") and len(layer) == 1:
            value = next(iter(layer.values()))
            value = getattr(value, "value", value)  # newer dask wraps constants in a DataNode
            if tuple(getattr(value, "shape", ())) == tuple(data.shape) and data.dtype == getattr(value, "dtype", None):
                return value
    return None


def clip_scale(source: Any, percentile: float) -> float:
    """The ``percentile`` of |amplitude| over whole traces on a regular grid of inlines and crosslines.

    Refuses NaN/inf in the sample and a constant sample, like the in-memory path does for the volume.
    """
    n_il, n_xl = source.shape[0], source.shape[1]
    il = np.unique(np.linspace(0, n_il - 1, min(n_il, SAMPLE_LINES)).astype(int))
    xl = np.unique(np.linspace(0, n_xl - 1, min(n_xl, SAMPLE_LINES)).astype(int))
    traces = np.concatenate([np.asarray(source[int(i)], dtype=np.float32)[xl] for i in il])
    if not np.isfinite(traces).all():
        raise SeisgrowError("the volume has NaN or infinite amplitudes; fix or mask them first")
    a = np.abs(traces)
    scale = float(np.percentile(a, percentile))
    if scale <= 0:
        scale = float(a.max())
    if scale <= 0 or float(traces.max()) == float(traces.min()):
        raise SeisgrowError("the volume's amplitudes are constant; there is nothing to learn from")
    return scale


class Amplitudes:
    """Amplitudes divided by the clipping scale and clipped to [-1, 1] as they are read."""

    def __init__(self, source: Any, scale: float) -> None:
        self.source, self.scale = source, float(scale)
        self.shape = tuple(int(s) for s in source.shape)
        self.dtype = np.dtype(np.float32)
        self.ndim = 3

    def __getitem__(self, index: Any) -> np.ndarray:
        a = np.asarray(self.source[index], dtype=np.float32) / np.float32(self.scale)
        if not (np.isfinite(a.min(initial=0.0)) and np.isfinite(a.max(initial=0.0))):
            where = _where(index)
            raise SeisgrowError(f"the volume has NaN or infinite amplitudes (in {where}); fix or mask them first")
        return np.clip(a, -1.0, 1.0, out=a)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """The whole volume, normalised: what a caller that needs it all at once gets (a copy the
        size of the volume; the engine's own whole-volume steps read it a slab at a time)."""
        a = self[()]
        return a if dtype is None else a.astype(dtype, copy=False)


def _where(index: Any) -> str:
    parts = index if isinstance(index, tuple) else (index,)
    names = ("inline", "crossline", "sample")
    shown = []
    for name, i in zip(names, parts, strict=False):
        if isinstance(i, slice) and i.stop is None:
            shown.append(f"all {name}s")
        elif isinstance(i, slice):
            shown.append(f"{name} indices {i.start or 0}..{i.stop - 1}")
        else:
            shown.append(f"{name} index {i}")
    return ", ".join(shown)


@dataclass
class SeedPoints:
    """The painted voxels of a seeds volume: flat positions and classes, in flat order."""

    shape: tuple[int, int, int]
    flat: np.ndarray  # int64
    classes: np.ndarray  # uint8

    @property
    def n_classes(self) -> int:
        return int(self.classes.max(initial=0))

    def by_class(self) -> list[np.ndarray]:
        return [self.flat[self.classes == c] for c in range(1, self.n_classes + 1)]

    def counts(self) -> np.ndarray:
        return np.bincount(self.classes, minlength=self.n_classes + 1)[1:]


def scan_seeds(seeds: Any, shape: tuple[int, ...]) -> SeedPoints:
    """Check a seeds volume slab by slab (shape, whole numbers 0..255, two classes) and index it."""
    if tuple(seeds.shape) != tuple(shape):
        raise SeisgrowError(f"seeds have shape {tuple(seeds.shape)} but the volume is {tuple(shape)}")
    plane = int(np.prod(shape[1:]))
    step = max(1, SCAN_VOXELS // max(1, plane))
    flats, classes = [], []
    for a in range(0, shape[0], step):
        block = np.asarray(seeds[a : a + step])
        if block.dtype == bool:
            block = block.astype(np.uint8)
        if not np.issubdtype(block.dtype, np.integer):
            if not (np.issubdtype(block.dtype, np.floating) and np.isfinite(block).all()
                    and np.array_equal(block, np.round(block))):  # fmt: skip
                raise SeisgrowError(f"seeds must be whole numbers (0 = unlabelled, 1..K = classes), got {block.dtype}")
        nz = np.flatnonzero(block)
        if nz.size == 0:
            continue
        values = block.ravel()[nz]
        if values.min() < 0:
            raise SeisgrowError("seeds contain negative values; use 0 for unlabelled and 1..K for classes")
        if values.max() > 255:
            raise SeisgrowError(f"seeds contain class {int(values.max())}; at most 255 classes are supported")
        flats.append(nz.astype(np.int64) + a * plane)
        classes.append(values.astype(np.uint8))
    points = SeedPoints(tuple(int(s) for s in shape), np.concatenate(flats) if flats else np.zeros(0, np.int64),
                        np.concatenate(classes) if classes else np.zeros(0, np.uint8))  # fmt: skip
    present = np.unique(points.classes)
    if len(present) == 0:
        raise SeisgrowError("there are no seeds; paint at least two classes first")
    if len(present) == 1:
        raise SeisgrowError(f"the seeds hold only class {int(present[0])}; paint at least two classes")
    return points


class SeedLabels:
    """Seeds as uint8 labels, read on demand (the caller's array is only ever sliced)."""

    def __init__(self, seeds: Any) -> None:
        self.seeds, self.shape, self.ndim, self.dtype = seeds, tuple(seeds.shape), 3, np.dtype(np.uint8)

    def __getitem__(self, index: Any) -> np.ndarray:
        return np.asarray(self.seeds[index]).astype(np.uint8)


class TrainingLabels:
    """Seeds over grown labels (the label-update stage), and their loss weights, read on demand."""

    def __init__(self, seeds: Any, grown: Any, grown_weight: float) -> None:
        self.seeds, self.grown, self.grown_weight = SeedLabels(seeds), grown, float(grown_weight)
        self.shape, self.ndim, self.dtype = tuple(seeds.shape), 3, np.dtype(np.uint8)

    def __getitem__(self, index: Any) -> np.ndarray:
        s = self.seeds[index]
        return np.where(s > 0, s, np.asarray(self.grown[index]).astype(np.uint8))

    def weights(self) -> Weights:
        return Weights(self)


class Weights:
    def __init__(self, labels: SeedLabels | TrainingLabels) -> None:
        self.labels, self.shape, self.ndim, self.dtype = labels, labels.shape, 3, np.dtype(np.float32)

    def __getitem__(self, index: Any) -> np.ndarray:
        if isinstance(self.labels, SeedLabels):
            return (self.labels[index] > 0).astype(np.float32)
        s = self.labels.seeds[index]
        g = np.asarray(self.labels.grown[index])
        return np.where(s > 0, 1.0, np.where(g > 0, self.labels.grown_weight, 0.0)).astype(np.float32)
