"""How volumes and labels look in napari, as plain layer keyword arguments (no napari import).

Shared by the reader, the sample data and the widget so that every layer of one survey has
the same scale, translate and axis labels. World coordinates are real inline and crossline
numbers across, and samples down: napari zooms all axes alike, and ms against line numbers would
draw a 160-sample, 96-trace section six times taller than wide (a real survey's metres against
ms, far wider). One sample per trace is the usual workstation default. The axis label gives the
sample interval, and the geometry in the layer's metadata keeps the real times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..io.geometry import Geometry, Volume

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
    il_step, xl_step, dt = geometry.scale
    il0, xl0, t0 = geometry.translate
    dt = dt or 1.0
    vertical = geometry.axis_labels[2]
    if geometry.sample_unit in ("ms", "m"):
        vertical = f"{vertical} (samples of {dt:g} {geometry.sample_unit})"
    return {
        "scale": (il_step, xl_step, 1.0),
        "translate": (il0, xl0, t0 / dt),
        "axis_labels": (*geometry.axis_labels[:2], vertical),
        "units": ("pixel", "pixel", "pixel"),
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
