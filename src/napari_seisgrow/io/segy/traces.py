"""Trace samples and header words read straight from a memory map of the file."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

from ..errors import SeisgrowError
from ..ibm import ibm_to_float32
from .layout import IBM_FLOAT, TRACE_HEADER_BYTES, data_start, fixed_length, sample_dtype


def refuse_non_finite(block: np.ndarray, start: int, name: str) -> None:
    """One line naming the first trace of a chunk (traces from ``start``) with NaN or inf samples."""
    # min and max carry any NaN or inf through, and are cheaper than isfinite on every value
    if np.isfinite(block.min()) and np.isfinite(block.max()):
        return
    bad = start + int(np.argmax(~np.isfinite(block).all(axis=1)))
    raise SeisgrowError(f"{name} has NaN or infinite amplitudes (trace {bad}); fix or mute those traces first")


class DirectTraces:
    """Trace samples and header words straight from a memory map of the file, through numpy.

    segyio's generic reads go trace by trace through its C API; for sample formats numpy
    understands, the file is an array of fixed-size records whose samples field is a strided
    view. Chunks are converted to float32 as they are read, and their pages are then dropped from
    this process (``MADV_DONTNEED``), so resident memory stays near the float32 cube alone.
    """

    def __init__(self, path: Path, data_start: int, n_traces: int, ns: int, sample_dtype: np.dtype, endian: str,
                 ibm: bool = False):  # fmt: skip
        self.path, self.data_start, self.n_traces, self.ns = path, data_start, n_traces, ns
        self.record = np.dtype([("header", f"V{TRACE_HEADER_BYTES}"), ("samples", sample_dtype, (ns,))])
        self.endian = ">" if endian == "big" else "<"
        self.ibm = ibm
        self.is_float = sample_dtype.kind == "f" or ibm
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.records = np.frombuffer(self._map, dtype=self.record, count=n_traces, offset=data_start)

    @classmethod
    def open(cls, f, path: Path, endian: str, fmt_code: int) -> DirectTraces | None:
        dtype = sample_dtype(fmt_code, endian)
        if dtype is None or f.tracecount == 0 or not fixed_length(f, path, dtype):
            return None  # a format numpy cannot read, or variable trace lengths: segyio knows better
        reader = cls(path, data_start(f), f.tracecount, len(f.samples), dtype, endian, ibm=fmt_code == IBM_FLOAT)
        for k in {0, f.tracecount - 1}:  # the layout must agree with segyio's own reading
            if not np.array_equal(reader.floats(k, k + 1)[0], np.asarray(f.trace.raw[k]), equal_nan=True):
                return None
        return reader

    def samples(self, start: int, stop: int) -> np.ndarray:
        """Samples of traces [start, stop): an (n, ns) view of the file in its own dtype."""
        return self.records["samples"][start:stop]

    def floats(self, start: int, stop: int) -> np.ndarray:
        """Samples of traces [start, stop) as numbers: IBM words converted (bit for bit as segyio
        does), other formats as the file's view, cast by whoever assigns them."""
        raw = self.samples(start, stop)
        return ibm_to_float32(raw) if self.ibm else raw

    def read_into(self, start: int, stop: int, out: np.ndarray) -> None:
        """Traces [start, stop) as float32 into ``out`` (IBM words converted straight into it)."""
        if self.ibm:
            ibm_to_float32(self.samples(start, stop), out=out)
        else:
            out[...] = self.samples(start, stop)

    def release(self, start: int, stop: int) -> None:
        """Drop the pages of traces [start, stop) from this process (the OS cache keeps them)."""
        if not hasattr(mmap, "MADV_DONTNEED"):
            return
        lo = self.data_start + start * self.record.itemsize
        hi = self.data_start + stop * self.record.itemsize
        lo -= lo % mmap.PAGESIZE
        self._map.madvise(mmap.MADV_DONTNEED, lo, hi - lo)

    def word(self, byte: int, f) -> np.ndarray | None:
        """A strided int32 view of a 4-byte header field, or None if segyio reads it differently."""
        if not 1 <= byte <= TRACE_HEADER_BYTES - 3:
            return None
        word = np.dtype({"names": ["v"], "formats": [f"{self.endian}i4"], "offsets": [byte - 1],
                         "itemsize": self.record.itemsize})  # fmt: skip
        values = np.frombuffer(self._map, dtype=word, count=self.n_traces, offset=self.data_start)["v"]
        for k in {0, self.n_traces - 1}:
            if int(values[k]) != int(f.header[k][byte]):
                return None  # a 2-byte field, or not a field segyio knows
        return values

    def check_finite(self, block: np.ndarray, start: int) -> None:
        if self.is_float:
            refuse_non_finite(block, start, self.path.name)
