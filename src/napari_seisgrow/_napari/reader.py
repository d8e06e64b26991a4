"""npe2 reader: SEG-Y files open as an Image layer with survey coordinates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine.memory import fits_in_memory
from ..io import load_volume
from ..io.segy import is_segy_path
from .layer_kwargs import image_layer_kwargs


def get_reader(path: str | list[str]):
    if isinstance(path, list):
        if not path or not all(is_segy_path(p) for p in path):
            return None
    elif not is_segy_path(path):
        return None
    return read_segy_layers


def read_segy_layers(path: str | list[str]) -> list[tuple[Any, dict, str]]:
    paths = path if isinstance(path, list) else [path]
    layers = []
    for p in paths:
        volume = load_volume(p, lazy=True)  # headers only; read whole below if it fits in memory
        if fits_in_memory(volume.shape):
            volume = load_volume(p)
            data = volume.data
        else:
            data = lazy_layer_data(volume.data)
        layers.append((data, image_layer_kwargs(volume, Path(p).stem), "image"))
    return layers


def lazy_layer_data(traces: Any):
    """A dask array over the file for napari: chunks of whole traces, a few inlines deep, so
    showing an inline or a crossline section reads little more than that section."""
    import dask.array as da

    n_il, n_xl, ns = traces.shape
    return da.from_array(traces, chunks=(min(n_il, 8), min(n_xl, 64), ns), asarray=False, fancy=False)
