"""napari-seisgrow: label a whole seismic volume from a few painted strokes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .io import Geometry, SeisgrowError, Volume, load_volume, write_labels

if TYPE_CHECKING:
    from .engine import GrowConfig, RunResult, Session, open_session


__all__ = [
    "Geometry",
    "GrowConfig",
    "SeisgrowError",
    "Session",
    "Volume",
    "__version__",
    "grow",
    "load_volume",
    "open_session",
    "write_labels",
]


def grow(volume: Any, seeds: Any, config: GrowConfig | None = None, **overrides: Any) -> tuple[Any, RunResult]:
    """Grow ``seeds`` through ``volume`` (a path, a Volume or an array); returns (labels, report).

    ``overrides`` are GrowConfig fields, e.g. ``epochs=10, device="cpu"``.
    """
    from .engine import grow_volume

    if isinstance(volume, (str, Path)):
        volume = load_volume(volume)
    result = grow_volume(volume, seeds, config, **overrides)
    return result.labels, result


def __getattr__(name: str) -> Any:
    # torch is imported only when the engine is asked for, so opening a file in napari stays quick.
    if name in ("Session", "GrowConfig", "RunResult", "open_session"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(name)
