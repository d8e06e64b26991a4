"""Whether an in-memory session fits this machine, from the memory it was measured to need."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

# Peak private memory of an in-memory session per voxel in the label-update stage: 34 bytes,
# measured by benchmarks/memory.py as the growth from 128 x 128 x 256 to 256 x 256 x 256, and
# 54 bytes on an F3-size volume (651 x 951 x 462, benchmarks/survey.py: 14.8 GiB), where the
# completion's flattened volume holds more rows than the volume has samples (docs/benchmarks.md).
# It is the normalised float32 copy and the coordinate, uint8 seeds and
# labels, float16 class sums in inference, growth's uint32 component numbers, the sampler's
# positions of labelled voxels and the completion's nearest-voxel indices; rounded up. Since the
# completion and the layering work in slabs and the loss weights are made per patch, and since
# freed memory goes back to the system between phases and the fill keeps no index arrays, the
# F3-size run peaked at 31.5 bytes per voxel (8.4 GiB), and at 24.7 (6.6 GiB) since the amplitudes
# are normalised as they are read (no copy; a volume opened as a memory map then costs page
# cache, not private memory) and growth, the whole coordinate and class counts work in slabs;
# the estimate stays at 60, a margin for more classes (the pass's sums are 2 bytes per class and
# voxel), for a volume held in memory by the caller and for other allocators.
IN_MEMORY_BYTES_PER_VOXEL = 60
USABLE_FRACTION = 0.8


def available_memory() -> int:
    """Bytes the system can give without swapping (MemAvailable), else free physical memory."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 1 << 62  # unknown: assume it fits, as before this check existed


def in_memory_bytes(shape: Sequence[int]) -> int:
    return int(np.prod(shape, dtype=np.int64)) * IN_MEMORY_BYTES_PER_VOXEL


def fits_in_memory(shape: Sequence[int], available: int | None = None) -> bool:
    avail = available_memory() if available is None else available
    return in_memory_bytes(shape) <= USABLE_FRACTION * avail
