"""NumPy (memory-mapped) and Zarr (lazy, chunked) volumes and label files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_path, check_output_path
from .errors import SeisgrowError
from .geometry import Geometry, Volume

GEOMETRY_ATTR = "seisgrow_geometry"
FINITE_CHECK_SECTIONS = 16


def _as_3d(arr: Any, name: str) -> Any:
    """A single 2-D line is a volume with one inline; anything else must already be 3-D."""
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise SeisgrowError(
            f"{name} has {arr.ndim} dimensions; expected a 3-D (inline, crossline, sample) volume or one 2-D line"
        )
    if 0 in arr.shape:
        raise SeisgrowError(f"{name} is empty (shape {tuple(arr.shape)})")
    return arr


def check_finite(data: Any, name: str) -> None:
    """Scan in inline blocks so a memory-mapped volume is never loaded whole."""
    n = data.shape[0]
    step = max(1, n // FINITE_CHECK_SECTIONS)
    for start in range(0, n, step):
        block = np.asarray(data[start : start + step])
        if not np.isfinite(block).all():
            bad = start + int(np.argmax(~np.isfinite(block).reshape(block.shape[0], -1).all(axis=1)))
            raise SeisgrowError(f"{name} has NaN or infinite amplitudes (inline index {bad}); fix or mask them first")


def read_npy(path: str | Path, lazy: bool = False) -> Volume:
    path = Path(path)
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SeisgrowError(f"{path.name} could not be read as a NumPy array: {str(exc).splitlines()[0]}") from exc
    arr = _as_3d(arr, path.name)
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise SeisgrowError(f"{path.name} holds {arr.dtype} values, not amplitudes")
    if lazy:
        return Volume(data=arr, geometry=_geometry_from_sidecar(path, arr.shape))
    if arr.dtype != np.float32:
        arr = np.asarray(arr, dtype=np.float32)
    check_finite(arr, path.name)
    return Volume(data=arr, geometry=_geometry_from_sidecar(path, arr.shape))


def _geometry_from_sidecar(path: Path, shape: tuple[int, ...]) -> Geometry:
    """A ``NAME.npy.json`` beside a .npy may carry geometry (we write one with every export)."""
    side = path.with_name(path.name + ".json")
    if side.is_file():
        try:
            geom = Geometry.from_dict(json.loads(side.read_text()).get("geometry", {}))
            if geom.shape == tuple(shape):
                geom.source = geom.source or str(path.resolve())
                return geom
        except (ValueError, KeyError, TypeError):
            pass
    return Geometry.default(shape, source=path.resolve())


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def read_zarr(path: str | Path, lazy: bool = False) -> Volume:
    import zarr

    path = Path(path)
    try:
        arr = zarr.open_array(str(path), mode="r")
    except Exception as exc:  # zarr raises many types for a store that is not an array
        raise SeisgrowError(f"{path.name} could not be read as a Zarr array: {_first_line(exc)}") from exc
    geom_dict = dict(arr.attrs).get(GEOMETRY_ATTR)
    data: Any = arr
    if arr.dtype != np.float32:
        import dask.array as da

        data = da.from_zarr(arr).astype(np.float32)
    data = _as_3d(data, path.name)
    if not lazy:
        check_finite(data, path.name)
    geometry = Geometry.default(data.shape, source=path.resolve())
    if geom_dict:
        try:
            g = Geometry.from_dict(geom_dict)
            if g.shape == tuple(data.shape):
                geometry = g
        except (ValueError, KeyError, TypeError):
            pass
    return Volume(data=data, geometry=geometry)


def is_lazy(array: Any) -> bool:
    """A dask array (e.g. labels in a Zarr store from a blockwise run): written block by block."""
    return type(array).__module__.startswith("dask.")


def write_npy(path: str | Path, array: np.ndarray, geometry: Geometry | None = None, *inputs) -> Path:
    out = check_output_path(path, *inputs)
    with atomic_path(out) as tmp:
        if is_lazy(array):
            import dask.array as da

            target = np.lib.format.open_memmap(tmp, mode="w+", dtype=array.dtype, shape=array.shape)
            da.store(array, target, lock=False)
            target.flush()
            del target
        else:
            with open(tmp, "wb") as fh:
                np.save(fh, np.asarray(array), allow_pickle=False)
    side = out.with_name(out.name + ".json")
    if geometry is not None:
        with atomic_path(side) as tmp:
            tmp.write_text(json.dumps({"geometry": geometry.to_dict()}))
    elif side.is_file():
        side.unlink()  # an old sidecar would describe another array
    return out


def write_zarr(path: str | Path, array: np.ndarray, geometry: Geometry | None = None, *inputs) -> Path:
    import zarr

    out = check_output_path(path, *inputs)
    array = array if is_lazy(array) else np.asarray(array)
    chunks = tuple(min(s, c) for s, c in zip(array.shape, (64, 64, 256), strict=False))
    with atomic_path(out, directory=True) as tmp:
        z = zarr.open_array(str(tmp), mode="w", shape=array.shape, chunks=chunks, dtype=array.dtype)
        if is_lazy(array):
            import dask.array as da

            da.store(array.rechunk(chunks), z, lock=False)
        else:
            z[...] = array
        if geometry is not None:
            z.attrs[GEOMETRY_ATTR] = geometry.to_dict()
    return out


def read_labels(path: str | Path, lazy: bool = False) -> Any:
    """Seeds or labels: integers, 0 = unlabelled, read fully (they are small next to amplitudes),
    or with ``lazy`` as a memory map or Zarr array that is read when sliced."""
    path = Path(path)
    if not path.exists():
        raise SeisgrowError(f"{path} does not exist")
    name = path.name.lower()
    if name.endswith(".npy"):
        try:
            arr = np.load(path, allow_pickle=False, mmap_mode="r" if lazy else None)
        except (OSError, ValueError) as exc:
            raise SeisgrowError(f"{path.name} could not be read as a NumPy array") from exc
    elif name.endswith(".zarr"):
        import zarr

        try:
            arr = zarr.open_array(str(path), mode="r")
            arr = arr if lazy else np.asarray(arr[...])
        except Exception as exc:
            raise SeisgrowError(f"{path.name} could not be read as a Zarr array") from exc
    else:
        raise SeisgrowError(f"{path.name}: labels must be .npy or .zarr")
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    return arr
