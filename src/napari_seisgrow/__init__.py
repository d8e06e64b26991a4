"""napari-seisgrow: label a whole seismic volume from a few painted strokes."""

from __future__ import annotations

from .io import Geometry, SeisgrowError, Volume, load_volume, write_labels

__version__ = "0.1.0"

__all__ = ["Geometry", "SeisgrowError", "Volume", "__version__", "load_volume", "write_labels"]
