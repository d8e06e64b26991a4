"""One place that decides how a run holds its volume: in memory where it fits, else blockwise.

The command line, the widget and the Python API all open their sessions here, so the rule (the
memory estimate of ``engine.memory``) and the choice of backend are made once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from ..io.errors import SeisgrowError
from .backend_blockwise import Blockwise
from .channels import StratGrid
from .config import GrowConfig
from .memory import fits_in_memory
from .session import Session


def runs_blockwise(shape: Sequence[int], asked: bool = False) -> bool:
    """Whether a run on a volume of ``shape`` keeps the volume on disk: when asked to, or when an
    in-memory run would not fit this machine's memory."""
    return asked or not fits_in_memory(tuple(shape))


def open_session(
    volume: Any,
    seeds: Any,
    config: GrowConfig | None = None,
    *,
    work: Blockwise | None = None,
    blockwise: bool | None = None,
    stop_event: threading.Event | None = None,
    strat: StratGrid | None = None,
    pretrained: Any = None,
) -> Session:
    """The session for this volume and these seeds. ``blockwise`` None decides by
    ``runs_blockwise``; a blockwise run writes its stores under ``work`` (a one-line error when
    there is none). Background pretraining (``pretrained``) serves in-memory runs only."""
    if blockwise is None:
        data = getattr(volume, "data", volume)
        blockwise = runs_blockwise(tuple(data.shape))
    if not blockwise:
        return Session(volume, seeds, config, stop_event, strat=strat, pretrained=pretrained)
    if work is None:
        raise SeisgrowError("a blockwise run (the volume kept on disk, as one that does not fit in memory must be) "
                            "needs a work folder for its stores")  # fmt: skip
    return Session(volume, seeds, config, stop_event, blockwise=work, strat=strat)
