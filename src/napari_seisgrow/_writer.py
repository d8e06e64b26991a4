"""npe2 writer: a Labels layer to SEG-Y (like its survey's source file), .npy or .zarr."""

from __future__ import annotations

from typing import Any

from ._layers import METADATA_KEY
from .io import write_labels


def write_labels_layer(path: str, data: Any, meta: dict) -> list[str]:
    geometry = (meta.get("metadata") or {}).get(METADATA_KEY)
    return [str(write_labels(path, data, geometry))]
