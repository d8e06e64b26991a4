"""The method, in torch and numpy only: never Qt, never napari."""

from __future__ import annotations

from .api import RunResult, grow_volume
from .config import GrowConfig, profile
from .device import resolve_device
from .report import EpochReport
from .session import Session

__all__ = ["EpochReport", "GrowConfig", "RunResult", "Session", "grow_volume", "profile", "resolve_device"]
