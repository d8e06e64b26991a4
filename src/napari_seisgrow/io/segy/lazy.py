"""A SEG-Y volume read on demand: only the traces a slice touches leave the disk.

For volumes larger than memory. Trace headers are read once (the inline and crossline words,
as strided views of a memory map) to place every trace on the survey grid; samples are read
when sliced, through a memory map opened in whichever process slices (the object pickles as
its path, so dask cluster workers read the file themselves). Every fixed-length sample format
is supported, IBM floats included (converted with numpy); files with variable trace lengths
need the eager reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SeisgrowError
from ..geometry import Volume
from ..ibm import ibm_to_float32
from .grid import grid_from_numbers, survey_geometry
from .layout import IBM_FLOAT, TRACE_HEADER_BYTES, data_start, fixed_length, sample_dtype
from .open import open_post_stack, reading, sample_axis, segyio
from .traces import DirectTraces


class SegyTraces:
    """Array-like (inline, crossline, sample) float32 view of a SEG-Y file; dead cells read as 0."""

    def __init__(self, path: str | Path, data_start: int, n_traces: int, ns: int, fmt_code: int, endian: str,
                 trace_index: np.ndarray) -> None:  # fmt: skip
        self.path = str(path)
        self.data_start, self.n_traces, self.ns, self.fmt_code, self.endian = data_start, n_traces, ns, fmt_code, endian
        self.trace_index = trace_index
        self.shape = (trace_index.shape[0], trace_index.shape[1], ns)
        self.dtype = np.dtype(np.float32)
        self.ndim = 3
        self._samples: np.ndarray | None = None

    @property
    def sample_dtype(self) -> np.dtype:
        dtype = sample_dtype(self.fmt_code, self.endian)
        assert dtype is not None  # open_segy_lazy refuses the rest
        return dtype

    def _records(self) -> np.ndarray:
        if self._samples is None:
            record = np.dtype([("header", f"V{TRACE_HEADER_BYTES}"), ("samples", self.sample_dtype, (self.ns,))])
            mm = np.memmap(self.path, dtype=record, mode="r", offset=self.data_start, shape=(self.n_traces,))
            self._samples = mm["samples"]
        return self._samples

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_samples": None}

    def __len__(self) -> int:
        return self.shape[0]

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[...].astype(dtype or self.dtype, copy=False)

    def __getitem__(self, index: Any) -> np.ndarray:
        index = _expand(index, 3)
        squeeze = [k for k, i in enumerate(index) if isinstance(i, (int, np.integer))]
        ii = np.atleast_1d(np.arange(self.shape[0])[index[0]])
        jj = np.atleast_1d(np.arange(self.shape[1])[index[1]])
        tt = np.atleast_1d(np.arange(self.ns)[index[2]])
        cells = self.trace_index[np.ix_(ii, jj)]
        live = cells >= 0
        out = np.zeros((len(ii), len(jj), len(tt)), dtype=np.float32)
        if live.any():
            traces = cells[live]
            order = np.argsort(traces, kind="stable")  # read the file forwards
            raw = self._records()[traces[order]]
            if len(tt) != self.ns or not np.array_equal(tt, np.arange(self.ns)):
                raw = raw[:, tt]
            values = ibm_to_float32(raw) if self.fmt_code == IBM_FLOAT else raw.astype(np.float32)
            block = np.empty_like(values)
            block[order] = values
            out[live] = block
        if squeeze:
            out = out.squeeze(axis=tuple(squeeze))
        return out


def _expand(index: Any, ndim: int) -> tuple:
    if not isinstance(index, tuple):
        index = (index,)
    if any(i is Ellipsis for i in index):
        k = next(n for n, i in enumerate(index) if i is Ellipsis)
        index = index[:k] + (slice(None),) * (ndim - len(index) + 1) + index[k + 1 :]
    return tuple(index) + (slice(None),) * (ndim - len(index))


def open_segy_lazy(
    path: str | Path, *, iline: int = 189, xline: int = 193, domain: str = "time", endian: str | None = None
) -> Volume:
    """A Volume whose data is a SegyTraces: the grid and geometry now, the samples when sliced."""
    sio = segyio()
    path = Path(path)
    f, endian = open_post_stack(path, endian)
    with reading(f, path):
        ns = len(f.samples)
        fmt_code = int(f.bin[sio.BinField.Format])
        dtype = sample_dtype(fmt_code, endian)
        if dtype is None:
            raise SeisgrowError(f"{path.name}: sample format {fmt_code} cannot be read lazily")
        start = data_start(f)
        if not fixed_length(f, path, dtype):
            raise SeisgrowError(f"{path.name} has variable trace lengths or trailing bytes; it must be read whole")
        words = DirectTraces(path, start, f.tracecount, ns, dtype, endian)
        il, xl = words.word(iline, f), words.word(xline, f)
        if il is None or xl is None:  # 2-byte fields: segyio reads them
            il, xl = f.attributes(iline)[:], f.attributes(xline)[:]
        il, xl = np.asarray(il, dtype=np.int64), np.asarray(xl, dtype=np.int64)
        inlines, crosslines, trace_index = grid_from_numbers(f, path, il, xl, iline, xline)
        samples, dt = sample_axis(f)
    traces = SegyTraces(path, start, len(il), ns, fmt_code, endian, trace_index)
    geometry = survey_geometry(path, inlines, crosslines, trace_index, samples, dt, domain, iline, xline,
                               fmt_code, endian)  # fmt: skip
    return Volume(data=traces, geometry=geometry)
