"""Reading a whole post-stack SEG-Y onto its grid as float32."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..geometry import Volume
from .grid import cells_of_traces, grid_from_numbers, survey_geometry, survey_grid
from .open import open_post_stack, reading, sample_axis, segyio
from .traces import DirectTraces, refuse_non_finite

CHUNK_TRACES = 4096
READ_THREADS = max(1, min(8, os.cpu_count() or 1))
DIRECT_CHUNK_TRACES = 1024  # converted and checked while still in cache


def _read_direct(d: DirectTraces, f, path: Path, iline: int, xline: int):
    """One pass for the usual file (inline-sorted, no missing traces): samples land in place as
    they are read, with the line numbers beside them; anything else takes a second pass."""
    il_words, xl_words = d.word(iline, f), d.word(xline, f)
    if il_words is None or xl_words is None:
        return None
    n, ns = d.n_traces, d.ns
    buf = np.empty((n, ns), dtype=np.float32)
    il = np.empty(n, dtype=np.int64)
    xl = np.empty(n, dtype=np.int64)

    def convert(start: int, out: np.ndarray = buf) -> None:
        stop = min(start + DIRECT_CHUNK_TRACES, n)
        d.read_into(start, stop, out[start:stop])
        il[start:stop] = il_words[start:stop]
        xl[start:stop] = xl_words[start:stop]
        d.check_finite(out[start:stop], start)
        d.release(start, stop)

    # numpy releases the GIL while it converts, so chunks convert in parallel on every core
    starts = range(0, n, DIRECT_CHUNK_TRACES)
    workers = min(READ_THREADS, len(starts))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            for _ in pool.map(convert, starts):
                pass  # re-raises the first error (NaN, a truncated file) here
    else:
        for start in starts:
            convert(start)
    del convert  # it holds ``buf`` too, which may be dropped below
    inlines, crosslines, trace_index = grid_from_numbers(f, path, il, xl, iline, xline)
    shape = (len(inlines), len(crosslines), ns)
    if trace_index.size == n and np.array_equal(trace_index.ravel(), np.arange(n)):
        return inlines, crosslines, trace_index, buf.reshape(shape)
    del buf  # crossline-sorted or irregular: place the traces from the file again, not from a copy
    data = np.zeros(shape, dtype=np.float32)
    flat = data.reshape(-1, ns)
    cells = cells_of_traces(trace_index, n)
    for start in range(0, n, DIRECT_CHUNK_TRACES):
        stop = min(start + DIRECT_CHUNK_TRACES, n)
        flat[cells[start:stop]] = d.floats(start, stop)
        d.release(start, stop)
    return inlines, crosslines, trace_index, data


def _read_generic(f, path: Path, iline: int, xline: int):
    """Through segyio, for layouts numpy cannot map (variable trace lengths, trailing bytes)."""
    ns = len(f.samples)
    inlines, crosslines, trace_index = survey_grid(f, path, iline, xline)
    data = np.zeros((len(inlines), len(crosslines), ns), dtype=np.float32)
    flat = data.reshape(-1, ns)
    cells = cells_of_traces(trace_index, f.tracecount)
    for start in range(0, f.tracecount, CHUNK_TRACES):
        stop = min(start + CHUNK_TRACES, f.tracecount)
        block = np.asarray(f.trace.raw[start:stop]).reshape(stop - start, ns)
        if block.dtype.kind == "f":
            refuse_non_finite(block, start, path.name)
        flat[cells[start:stop]] = block
    return inlines, crosslines, trace_index, data


def read_segy(
    path: str | Path,
    *,
    iline: int = 189,
    xline: int = 193,
    domain: str = "time",
    endian: str | None = None,
    fast: bool = True,
) -> Volume:
    """Read a post-stack SEG-Y onto its full inline x crossline grid as float32.

    Traces are read in chunks and cast straight to float32 (no float64 copy); IEEE and integer
    samples are read by numpy directly (``fast``), IBM floats converted by numpy as segyio would. Grid cells the
    survey has no trace for are zero and marked in ``geometry.live_mask``.
    """
    sio = segyio()
    path = Path(path)
    f, endian = open_post_stack(path, endian)
    with reading(f, path):
        fmt_code = int(f.bin[sio.BinField.Format])
        direct = DirectTraces.open(f, path, endian, fmt_code) if fast else None
        found = _read_direct(direct, f, path, iline, xline) if direct is not None else None
        if found is None:
            found = _read_generic(f, path, iline, xline)
        inlines, crosslines, trace_index, data = found
        samples, dt = sample_axis(f)
    geometry = survey_geometry(path, inlines, crosslines, trace_index, samples, dt, domain, iline, xline,
                               fmt_code, endian)  # fmt: skip
    return Volume(data=data, geometry=geometry)
