"""The method, in torch and numpy only: never Qt, never napari.

``open_session`` opens a run on a volume: a ``Session`` (the loop: epochs, stages, stop, reports)
over a backend that holds the volume-sized data, ``InMemory`` or, where the memory estimate says
the volume does not fit, ``OnDisk`` (blockwise, with its stores in a ``Blockwise`` work folder).
``session.run()`` trains and yields an ``EpochReport`` per epoch; ``grow_volume`` does it all in
one call. ``GrowConfig`` holds every setting and says what each is for.
"""

from __future__ import annotations

from .api import RunResult, grow_volume
from .backend_blockwise import Blockwise, OnDisk
from .backend_memory import InMemory
from .config import GrowConfig
from .device import resolve_device
from .factory import open_session, runs_blockwise
from .profiles import profile
from .report import EpochReport
from .session import Session

__all__ = [
    "Blockwise",
    "EpochReport",
    "GrowConfig",
    "InMemory",
    "OnDisk",
    "RunResult",
    "Session",
    "grow_volume",
    "open_session",
    "profile",
    "resolve_device",
    "runs_blockwise",
]
