"""Memory freed between a run's phases goes back to the system instead of staying resident."""

from __future__ import annotations

import gc
import os
import sys

import numpy as np
import pytest

from napari_seisgrow.engine import heap


def _private_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(heap._malloc_trim() is None, reason="needs glibc's malloc_trim (Linux)")
@pytest.mark.skipif(
    any(k == "LD_PRELOAD" or k.startswith("MALLOC_") for k in os.environ),
    reason="another allocator or glibc settings of its own decide where small blocks go",
)
def test_freed_blocks_inside_the_heap_go_back_to_the_system():
    # Blocks below the allocator's mmap threshold come from its heap; every tenth is kept, so the
    # other nine leave holes between kept blocks that the heap cannot shrink past by itself, as
    # the coordinate's solve and a pass's batches leave them.
    blocks = [np.ones(12_000, np.float64) for _ in range(4_000)]  # 96 kB each, 384 MB
    kept = blocks[::10]
    del blocks
    gc.collect()
    before = _private_bytes()
    assert heap.release_freed_memory()
    after = _private_bytes()
    assert before - after > 200e6, (before, after)  # of the 346 MB freed
    assert all(float(b[-1]) == 1.0 for b in kept)  # what is still held is untouched


def test_releaser_trims_only_when_its_interval_has_passed(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "release_freed_memory", lambda: calls.append(1) or True)
    every_time, never = heap.Releaser(every=0.0), heap.Releaser(every=1e9)
    for _ in range(3):
        every_time()
        never()
    assert len(calls) == 3


def test_release_is_a_quiet_no_op_where_the_allocator_has_no_trim(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    heap._malloc_trim.cache_clear()
    try:
        assert heap._malloc_trim() is None
        assert heap.release_freed_memory() is False
    finally:
        monkeypatch.undo()
        heap._malloc_trim.cache_clear()
