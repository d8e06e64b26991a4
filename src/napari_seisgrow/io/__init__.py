"""Reading volumes and writing labels; knows nothing of Qt, napari or torch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .arrays import read_labels, read_npy, read_zarr, write_npy, write_zarr
from .errors import SeisgrowError
from .geometry import Geometry, Volume
from .segy import is_segy_path, open_segy_lazy, read_segy, write_segy_like

__all__ = [
    "Geometry",
    "SeisgrowError",
    "Volume",
    "load_volume",
    "read_labels",
    "validate_labels",
    "write_labels",
]


def load_volume(path: str | Path, *, lazy: bool = False, **options: Any) -> Volume:
    """Open a seismic volume by extension: .sgy/.segy, .npy or .zarr.

    SEG-Y options: ``iline``/``xline`` (header byte locations, default 189/193), ``domain``
    ("time" or "depth"), ``endian`` (detected when omitted).

    ``lazy``: read nothing but headers now; the data is an array-like read when sliced (a
    SEG-Y trace map, a .npy memory map, a Zarr array), for volumes larger than memory. NaN
    amplitudes are then found where they are read, not up front.
    """
    p = Path(path)
    name = p.name.lower()
    if not p.exists():
        raise SeisgrowError(f"{p} does not exist")
    if is_segy_path(p):
        if lazy:
            return open_segy_lazy(p, **options)
        return read_segy(p, **options)
    if name.endswith(".npy"):
        return read_npy(p, lazy=lazy)
    if name.endswith(".zarr"):
        return read_zarr(p, lazy=lazy)
    raise SeisgrowError(f"{p.name}: unsupported volume type; use .sgy, .segy, .npy or .zarr")


def validate_labels(labels: Any, shape: tuple[int, ...], what: str = "labels") -> np.ndarray:
    """Integer labels of the volume's shape, 0..255, as uint8 (a copy is never made needlessly)."""
    arr = np.asarray(labels)
    if arr.ndim == 2 and len(shape) == 3 and shape[0] == 1:
        arr = arr[np.newaxis]
    if tuple(arr.shape) != tuple(shape):
        raise SeisgrowError(f"{what} have shape {tuple(arr.shape)} but the volume is {tuple(shape)}")
    if arr.dtype == bool:
        return arr.astype(np.uint8)
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.isfinite(arr).all() and np.array_equal(arr, np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise SeisgrowError(f"{what} must be whole numbers (0 = unlabelled, 1..K = classes), got {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise SeisgrowError(f"{what} contain negative values; use 0 for unlabelled and 1..K for classes")
    if arr.size and arr.max() > 255:
        raise SeisgrowError(f"{what} contain class {int(arr.max())}; at most 255 classes are supported")
    return arr.astype(np.uint8, copy=False)


def write_labels(path: str | Path, labels: Any, geometry: Geometry | None = None) -> Path:
    """Write labels atomically by extension; SEG-Y is written like the geometry's source file."""
    from .arrays import is_lazy

    p = Path(path)
    name = p.name.lower()
    if is_lazy(labels):  # from a blockwise run: already checked uint8 labels, written block by block
        arr = labels
        if geometry is not None and tuple(arr.shape) != tuple(geometry.shape):
            raise SeisgrowError(f"labels have shape {tuple(arr.shape)} but the volume is {tuple(geometry.shape)}")
    else:
        arr = np.asarray(labels)
        if geometry is not None:
            arr = validate_labels(arr, geometry.shape)
    inputs = [geometry.source] if geometry is not None and geometry.source else []
    if is_segy_path(p):
        if geometry is None:
            raise SeisgrowError("writing SEG-Y needs the source volume's geometry; export to .npy or .zarr instead")
        return write_segy_like(p, arr, geometry)
    if name.endswith(".npy"):
        return write_npy(p, arr, geometry, *inputs)
    if name.endswith(".zarr"):
        return write_zarr(p, arr, geometry, *inputs)
    raise SeisgrowError(f"{p.name}: unsupported output type; use .sgy, .segy, .npy or .zarr")
