"""npe2 writer: a Labels layer to SEG-Y (like its survey's source file), .npy or .zarr."""

from __future__ import annotations

from typing import Any

from ..io import write_labels
from .layer_kwargs import METADATA_KEY


def write_labels_layer(path: str, data: Any, meta: dict) -> list[str]:
    geometry = (meta.get("metadata") or {}).get(METADATA_KEY)
    return [str(write_labels(path, data, geometry))]
