"""How volumes and labels look in napari, as plain layer keyword arguments (no napari import).

Shared by the reader, the sample data and the widget so that every layer of one survey has
the same scale, translate and axis labels, and world coordinates are real line numbers and ms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .io.geometry import Geometry, Volume

METADATA_KEY = "seisgrow_geometry"
CONTRAST_PERCENTILE = 99.0
CONTRAST_SAMPLE = 2_000_000


def symmetric_clip(data: Any, percentile: float = CONTRAST_PERCENTILE) -> float:
    """Percentile of |amplitude| from an evenly strided subsample (cheap on big volumes)."""
    n = int(np.prod(data.shape))
    stride = max(1, round((n / CONTRAST_SAMPLE) ** (1 / 3)))
    sub = np.abs(np.asarray(data[::stride, ::stride, ::stride], dtype=np.float32))
    clip = float(np.percentile(sub, percentile)) if sub.size else 1.0
    return clip if clip > 0 else float(sub.max() or 1.0)


def _spatial(geometry: Geometry) -> dict[str, Any]:
    unit = {"ms": "ms", "m": "m"}.get(geometry.sample_unit, "pixel")
    return {
        "scale": geometry.scale,
        "translate": geometry.translate,
        "axis_labels": geometry.axis_labels,
        "units": ("pixel", "pixel", unit),
    }


def image_layer_kwargs(volume: Volume, name: str, colormap: str = "gray") -> dict[str, Any]:
    clip = symmetric_clip(volume.data)
    return {
        "name": name,
        "colormap": colormap,
        "contrast_limits": (-clip, clip),
        "metadata": {METADATA_KEY: volume.geometry},
        **_spatial(volume.geometry),
    }


def labels_layer_kwargs(geometry: Geometry, name: str) -> dict[str, Any]:
    return {"name": name, "metadata": {METADATA_KEY: geometry}, **_spatial(geometry)}
