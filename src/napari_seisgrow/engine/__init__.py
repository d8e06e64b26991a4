"""The method, in torch and numpy only: never Qt, never napari.

``open_session`` opens a run on a volume (``Session`` in memory, ``BlockwiseSession`` with the
volume on disk, chosen from the memory estimate); ``session.run()`` trains and yields an
``EpochReport`` per epoch; ``grow_volume`` does it all in one call. ``GrowConfig`` holds every
setting.
"""

from __future__ import annotations

from .api import RunResult, grow_volume
from .config import GrowConfig, profile
from .device import resolve_device
from .factory import open_session, runs_blockwise
from .report import EpochReport
from .session import Session
from .session_blockwise import Blockwise, BlockwiseSession

__all__ = [
    "Blockwise",
    "BlockwiseSession",
    "EpochReport",
    "GrowConfig",
    "RunResult",
    "Session",
    "grow_volume",
    "open_session",
    "profile",
    "resolve_device",
    "runs_blockwise",
]
