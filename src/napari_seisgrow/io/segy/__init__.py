"""Post-stack 3-D SEG-Y in and out, through segyio, keeping every header of the source.

One module per job: ``layout`` (where things lie in the file), ``open`` (byte order, refusing what
is not post-stack data), ``traces`` (samples and header words from a memory map), ``grid`` (every
trace in its cell), ``read`` (the whole volume), ``lazy`` (the volume read on demand, from the
same pieces) and ``write`` (labels into a copy of the source).
"""

from __future__ import annotations

import os
from pathlib import Path

from .lazy import SegyTraces, open_segy_lazy
from .open import detect_endian, open_post_stack
from .read import read_segy
from .traces import DirectTraces
from .write import write_segy_like

__all__ = [
    "DirectTraces",
    "SegyTraces",
    "detect_endian",
    "is_segy_path",
    "open_post_stack",
    "open_segy_lazy",
    "read_segy",
    "write_segy_like",
]


def is_segy_path(path: str | Path) -> bool:
    return os.fspath(path).lower().endswith((".sgy", ".segy"))
