"""Handing memory the run has freed back to the operating system between its phases.

NumPy's and torch's temporaries come from the C allocator. On Linux (glibc) an array above the
allocator's mmap threshold goes back to the system when it is freed, but that threshold rises to
the size of the largest array freed so far (up to 32 MB), and every smaller block is freed into
the allocator's heap and stays resident. The coordinate's solve works on many arrays of a few
to 30 MB, so after it about 14 bytes per voxel of a large volume stayed resident while nothing
held them, and each later whole-volume array (above the threshold) was mapped fresh on top:
they set the run's peak as much as live arrays did (docs/benchmarks.md). ``malloc_trim`` returns
the free pages inside the heap as well as at its top; it takes milliseconds, and elsewhere (macOS,
Windows, musl) it is not there and nothing is done.
"""

from __future__ import annotations

import ctypes
import functools
import sys
import time
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Give the pages the allocator holds free back to the system; True if any went back."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False


class Releaser:
    """``release_freed_memory`` at most every ``every`` seconds, for a loop of many short steps
    (a pass's batches): each step frees section-sized temporaries into the heap, and a trim after
    each would cost more than it saves."""

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.last = time.perf_counter()

    def __call__(self) -> None:
        now = time.perf_counter()
        if now - self.last >= self.every:
            release_freed_memory()
            self.last = time.perf_counter()
