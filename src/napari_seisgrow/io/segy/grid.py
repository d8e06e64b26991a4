"""The survey grid: every trace placed in its (inline, crossline) cell, or a one-line reason why not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SeisgrowError
from ..geometry import SAMPLE_FORMATS, Geometry
from .layout import OFFSET_BYTE

# A grid built from line numbers may hold dead cells, but not absurdly many: beyond this factor
# the numbers are not a survey grid (e.g. shot or receiver numbers).
MAX_GRID_INFLATION = 16


def line_grid(values: np.ndarray, what: str, name: str, byte: int) -> np.ndarray:
    """The full, evenly stepped list of line numbers spanned by ``values``."""
    lo, hi = int(values.min()), int(values.max())
    if lo == hi:
        return np.array([lo], dtype=np.int64)
    span = hi - lo + 1
    if span <= 64 * len(values) + 4096:  # a presence table: linear time, no sort
        present = np.flatnonzero(np.bincount(values - lo, minlength=span)) + lo
    else:
        present = np.unique(values)
    step = int(np.gcd.reduce(np.diff(present)))
    grid = np.arange(lo, hi + step, step, dtype=np.int64)
    if len(grid) > MAX_GRID_INFLATION * len(present):
        raise SeisgrowError(
            f"{name}: {what} numbers at byte {byte} do not form a regular grid; "
            "check the inline/crossline byte locations"
        )
    return grid


def survey_grid(f, path: Path, iline: int, xline: int):
    """Map every trace to its (inline, crossline) cell, or say why there is no such grid."""
    il = np.asarray(f.attributes(iline)[:], dtype=np.int64)
    xl = np.asarray(f.attributes(xline)[:], dtype=np.int64)
    return grid_from_numbers(f, path, il, xl, iline, xline)


def grid_from_numbers(f, path: Path, il: np.ndarray, xl: np.ndarray, iline: int, xline: int):
    name = path.name
    if len(il) > 1 and il.min() == il.max() and xl.min() == xl.max():
        raise SeisgrowError(
            f"{name} has no regular 3-D geometry: every trace has inline {il[0]} and crossline "
            f"{xl[0]} at bytes {iline}/{xline} (a gather, or wrong byte locations)"
        )
    inlines = line_grid(il, "inline", name, iline)
    crosslines = line_grid(xl, "crossline", name, xline)
    if len(inlines) * len(crosslines) > MAX_GRID_INFLATION * len(il):
        raise SeisgrowError(
            f"{name}: {len(il)} traces would spread over a {len(inlines)} x {len(crosslines)} grid; "
            f"the line numbers at bytes {iline}/{xline} do not describe a 3-D survey"
        )
    # every number lies on its grid: the step is the gcd of all differences
    ii = (il - inlines[0]) // (inlines[1] - inlines[0] if len(inlines) > 1 else 1)
    jj = (xl - crosslines[0]) // (crosslines[1] - crosslines[0] if len(crosslines) > 1 else 1)
    cells = ii * len(crosslines) + jj
    counts = np.bincount(cells, minlength=len(inlines) * len(crosslines))
    if counts.max() > 1:
        dup = cells == int(np.argmax(counts))
        off = np.asarray(f.attributes(OFFSET_BYTE)[:], dtype=np.int64)
        if len(np.unique(off[dup])) > 1:
            raise SeisgrowError(
                f"{name} is pre-stack ({counts.max()} offsets per trace position); "
                "napari-seisgrow needs a post-stack (stacked or migrated) 3-D volume"
            )
        raise SeisgrowError(
            f"{name} has no regular 3-D geometry: several traces share inline/crossline "
            f"numbers at bytes {iline}/{xline}"
        )
    trace_index = np.full((len(inlines), len(crosslines)), -1, dtype=np.int64)
    trace_index.ravel()[cells] = np.arange(len(il))
    return inlines, crosslines, trace_index


def cells_of_traces(trace_index: np.ndarray, n_traces: int) -> np.ndarray:
    """The flat grid cell of every trace."""
    cell_of_trace = np.empty(n_traces, dtype=np.int64)
    live = np.flatnonzero(trace_index.ravel() >= 0)
    cell_of_trace[trace_index.ravel()[live]] = live
    return cell_of_trace


def survey_geometry(path: Path, inlines, crosslines, trace_index, samples, dt: float, domain: str, iline: int,
                    xline: int, fmt_code: int, endian: str) -> Geometry:  # fmt: skip
    """The Geometry both readers (whole and lazy) give a SEG-Y."""
    return Geometry(
        inlines=inlines,
        crosslines=crosslines,
        samples=samples,
        sample_interval=dt,
        sample_unit="m" if domain == "depth" else "ms",
        domain=domain,
        iline_byte=iline,
        xline_byte=xline,
        sample_format=SAMPLE_FORMATS.get(fmt_code, str(fmt_code)),
        endian=endian,
        source=str(path.resolve()),
        trace_index=trace_index,
    )
