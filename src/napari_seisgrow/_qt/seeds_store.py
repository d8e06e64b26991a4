"""Seeds of a volume too big for memory: a Zarr store the user paints on in place, and the
read-only copy a run trains from (so painting during training never changes the run's seeds)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np


def open_seeds_store(folder: Path, shape: tuple[int, ...]) -> tuple[Any, str]:
    """The store in ``folder`` (opened again when it fits ``shape``) and a line telling the user where it is."""
    import zarr

    path = folder / "seeds.zarr"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        try:
            store = zarr.open_array(str(path), mode="r+")
            if tuple(store.shape) == tuple(shape):
                return store, f"Seeds painted earlier on this volume are back (stored in {path})"
        except Exception:  # not a seeds store of ours: leave it, use another name
            pass
        path = path.with_name(f"seeds-{datetime.now():%Y%m%d-%H%M%S}.zarr")
    chunks = (1, min(shape[1], 256), min(shape[2], 1024))  # painting an inline touches few chunks
    store = zarr.open_array(str(path), mode="w", shape=shape, chunks=chunks, dtype="u1", fill_value=0)
    return store, f"The volume is too big for memory: seeds are stored in {path}"


def snapshot_store(data: Any, folder: Path):
    """A read-only copy of big seeds in ``folder`` (only painted chunks exist, so it is small)."""
    import zarr

    target = folder / f"seeds-{datetime.now():%Y%m%d-%H%M%S-%f}.zarr"
    target.parent.mkdir(parents=True, exist_ok=True)
    chunks = getattr(data, "chunks", None) or (1, *data.shape[1:])
    copy = zarr.open_array(str(target), mode="w", shape=data.shape, chunks=chunks, dtype="u1", fill_value=0)
    for i in range(data.shape[0]):
        section = np.asarray(data[i])
        if section.any():
            copy[i] = section
    return zarr.open_array(str(target), mode="r")
