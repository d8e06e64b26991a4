"""npe2 reader: SEG-Y files open as an Image layer with survey coordinates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._layers import image_layer_kwargs
from .io import load_volume
from .io.segy import is_segy_path


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
        volume = load_volume(p)
        layers.append((volume.data, image_layer_kwargs(volume, Path(p).stem), "image"))
    return layers
