"""Post-stack 3-D SEG-Y in and out, through segyio, keeping every header of the source."""

from __future__ import annotations

import mmap
import os
import shutil
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .atomic import atomic_path, check_output_path
from .errors import SeisgrowError
from .geometry import SAMPLE_FORMATS, Geometry, Volume
from .ibm import ibm_to_float32

TEXT_HEADER_BYTES = 3200
BINARY_HEADER_BYTES = 400
FORMAT_CODE_OFFSET = 24  # within the binary header (bytes 3225-3226 of the file)
OFFSET_BYTE = 37
CHUNK_TRACES = 4096
READ_THREADS = max(1, min(8, os.cpu_count() or 1))
DIRECT_CHUNK_TRACES = 1024  # converted and checked while still in cache
# A grid built from line numbers may hold dead cells, but not absurdly many: beyond this factor
# the numbers are not a survey grid (e.g. shot or receiver numbers).
MAX_GRID_INFLATION = 16


def _segyio():
    import segyio  # imported lazily: only SEG-Y paths need it

    return segyio


def detect_endian(path: Path) -> str:
    """Read the binary header's sample-format code both ways; the valid reading wins."""
    size = path.stat().st_size
    if size < TEXT_HEADER_BYTES + BINARY_HEADER_BYTES:
        raise SeisgrowError(f"{path.name} is not a SEG-Y file: only {size} bytes, too short for the headers")
    with open(path, "rb") as fh:
        fh.seek(TEXT_HEADER_BYTES + FORMAT_CODE_OFFSET)
        raw = fh.read(2)
    if int.from_bytes(raw, "big") in SAMPLE_FORMATS:
        return "big"
    if int.from_bytes(raw, "little") in SAMPLE_FORMATS:
        return "little"
    raise SeisgrowError(f"{path.name} is not a readable SEG-Y file: unknown sample format code in the binary header")


def _open(path: Path, endian: str, mode: str = "r"):
    segyio = _segyio()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return segyio.open(str(path), mode, ignore_geometry=True, endian=endian)
    except (RuntimeError, OSError, IndexError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "no data traces" in msg or "index out of range" in msg:
            raise SeisgrowError(f"{path.name} has no traces (textual/binary header only)") from exc
        if "inconsistent with file size" in msg:
            raise SeisgrowError(
                f"{path.name} is truncated or has non-uniform trace lengths ({msg}); "
                "re-export it from the source software"
            ) from exc
        raise SeisgrowError(f"{path.name} could not be read as SEG-Y: {msg}") from exc


def open_post_stack(path: Path, endian: str | None):
    """Open a SEG-Y for either reader (whole or lazy) and refuse files with no traces or samples;
    returns the open file and its byte order."""
    if not path.is_file():
        raise SeisgrowError(f"{path} does not exist or is not a file")
    endian = endian or detect_endian(path)
    f = _open(path, endian)
    if f.tracecount == 0 or len(f.samples) == 0:
        f.close()
        what = "no traces (textual/binary header only)" if f.tracecount == 0 else "zero samples per trace"
        raise SeisgrowError(f"{path.name} has {what}")
    return f, endian


# Sample formats whose bytes numpy reads as they are; IBM floats (1) are read as words and converted.
DIRECT_DTYPES = {2: "i4", 3: "i2", 5: "f4", 8: "i1", 10: "u4", 11: "u2", 16: "u1"}
IBM_FLOAT = 1
TRACE_HEADER_BYTES = 240


def refuse_non_finite(block: np.ndarray, start: int, name: str) -> None:
    """One line naming the first trace of a chunk (traces from ``start``) with NaN or inf samples."""
    # min and max carry any NaN or inf through, and are cheaper than isfinite on every value
    if np.isfinite(block.min()) and np.isfinite(block.max()):
        return
    bad = start + int(np.argmax(~np.isfinite(block).all(axis=1)))
    raise SeisgrowError(f"{name} has NaN or infinite amplitudes (trace {bad}); fix or mute those traces first")


class _DirectTraces:
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
    def open(cls, f, path: Path, endian: str, fmt_code: int) -> _DirectTraces | None:
        kind = "u4" if fmt_code == IBM_FLOAT else DIRECT_DTYPES.get(fmt_code)
        if kind is None or f.tracecount == 0:
            return None
        dtype = np.dtype(kind).newbyteorder(">" if endian == "big" else "<")
        ns = len(f.samples)
        data_start = TEXT_HEADER_BYTES + BINARY_HEADER_BYTES + TEXT_HEADER_BYTES * max(0, int(f.ext_headers))
        record = TRACE_HEADER_BYTES + ns * dtype.itemsize
        if data_start + f.tracecount * record != path.stat().st_size:
            return None  # variable trace lengths or trailing bytes: segyio knows better
        reader = cls(path, data_start, f.tracecount, ns, dtype, endian, ibm=fmt_code == IBM_FLOAT)
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


def _line_grid(values: np.ndarray, what: str, name: str, byte: int) -> np.ndarray:
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


def _survey_grid(f, path: Path, iline: int, xline: int):
    """Map every trace to its (inline, crossline) cell, or say why there is no such grid."""
    il = np.asarray(f.attributes(iline)[:], dtype=np.int64)
    xl = np.asarray(f.attributes(xline)[:], dtype=np.int64)
    return _grid_from_numbers(f, path, il, xl, iline, xline)


def _grid_from_numbers(f, path: Path, il: np.ndarray, xl: np.ndarray, iline: int, xline: int):
    name = path.name
    if len(il) > 1 and il.min() == il.max() and xl.min() == xl.max():
        raise SeisgrowError(
            f"{name} has no regular 3-D geometry: every trace has inline {il[0]} and crossline "
            f"{xl[0]} at bytes {iline}/{xline} (a gather, or wrong byte locations)"
        )
    inlines = _line_grid(il, "inline", name, iline)
    crosslines = _line_grid(xl, "crossline", name, xline)
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


def _cells(trace_index: np.ndarray, n_traces: int) -> np.ndarray:
    """The flat grid cell of every trace."""
    cell_of_trace = np.empty(n_traces, dtype=np.int64)
    live = np.flatnonzero(trace_index.ravel() >= 0)
    cell_of_trace[trace_index.ravel()[live]] = live
    return cell_of_trace


def _read_direct(d: _DirectTraces, f, path: Path, iline: int, xline: int):
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
    inlines, crosslines, trace_index = _grid_from_numbers(f, path, il, xl, iline, xline)
    shape = (len(inlines), len(crosslines), ns)
    if trace_index.size == n and np.array_equal(trace_index.ravel(), np.arange(n)):
        return inlines, crosslines, trace_index, buf.reshape(shape)
    del buf  # crossline-sorted or irregular: place the traces from the file again, not from a copy
    data = np.zeros(shape, dtype=np.float32)
    flat = data.reshape(-1, ns)
    cells = _cells(trace_index, n)
    for start in range(0, n, DIRECT_CHUNK_TRACES):
        stop = min(start + DIRECT_CHUNK_TRACES, n)
        flat[cells[start:stop]] = d.floats(start, stop)
        d.release(start, stop)
    return inlines, crosslines, trace_index, data


def _read_generic(f, path: Path, iline: int, xline: int):
    """Through segyio, for layouts numpy cannot map (variable trace lengths, trailing bytes)."""
    ns = len(f.samples)
    inlines, crosslines, trace_index = _survey_grid(f, path, iline, xline)
    data = np.zeros((len(inlines), len(crosslines), ns), dtype=np.float32)
    flat = data.reshape(-1, ns)
    cells = _cells(trace_index, f.tracecount)
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
    segyio = _segyio()
    path = Path(path)
    f, endian = open_post_stack(path, endian)
    try:
        fmt_code = int(f.bin[segyio.BinField.Format])
        direct = _DirectTraces.open(f, path, endian, fmt_code) if fast else None
        found = _read_direct(direct, f, path, iline, xline) if direct is not None else None
        if found is None:
            found = _read_generic(f, path, iline, xline)
        inlines, crosslines, trace_index, data = found
        samples = np.asarray(f.samples, dtype=np.float64)
        dt = float(segyio.tools.dt(f, fallback_dt=4000.0)) / 1000.0
    except SeisgrowError:
        raise
    except (RuntimeError, OSError, IndexError, ValueError) as exc:
        raise SeisgrowError(f"{path.name} could not be read as SEG-Y: {str(exc).splitlines()[0]}") from exc
    finally:
        f.close()
    geometry = survey_geometry(path, inlines, crosslines, trace_index, samples, dt, domain, iline, xline,
                               fmt_code, endian)  # fmt: skip
    return Volume(data=data, geometry=geometry)


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


_INT_RANGES = {
    "int8": (-128, 127),
    "int16": (-32768, 32767),
    "int32": (-(2**31), 2**31 - 1),
    "uint8": (0, 255),
    "uint16": (0, 65535),
    "uint32": (0, 2**32 - 1),
}


def write_segy_like(path: str | Path, labels, geometry: Geometry) -> Path:
    """Write ``labels`` as the samples of a copy of the geometry's source SEG-Y.

    Every textual, binary and trace header comes from the source, byte for byte; only the
    sample values change, and only for traces the source has. The copy is made beside the
    destination and renamed into place when complete; the source is only ever read.
    """
    if geometry.source is None or not str(geometry.source).lower().endswith((".sgy", ".segy")):
        raise SeisgrowError("labels have no source SEG-Y to copy headers from; export to .npy or .zarr instead")
    src = Path(geometry.source)
    if not src.is_file():
        raise SeisgrowError(f"source SEG-Y {src} is gone; cannot write labels like it")
    out = check_output_path(path, src)
    if not hasattr(labels, "dask"):
        labels = np.asarray(labels)
    if labels.shape != geometry.shape:
        raise SeisgrowError(f"labels have shape {labels.shape} but {src.name} is {geometry.shape}")
    if geometry.trace_index is None:
        geometry = read_segy(src, iline=geometry.iline_byte or 189, xline=geometry.xline_byte or 193).geometry
        if labels.shape != geometry.shape:
            raise SeisgrowError(f"labels have shape {labels.shape} but {src.name} is {geometry.shape}")
    rng = _INT_RANGES.get(geometry.sample_format or "")
    if rng is not None and labels.size:
        lo, hi = int(labels.min()), int(labels.max())
        if lo < rng[0] or hi > rng[1]:
            raise SeisgrowError(f"label values {lo}..{hi} do not fit {src.name}'s {geometry.sample_format} samples")
    ti = geometry.trace_index
    cells = np.argwhere(ti >= 0)
    order = np.argsort(ti[ti >= 0])
    cells = cells[order]
    inline_of = _InlineCache(labels)
    flat_cells = cells[:, 0] * ti.shape[1] + cells[:, 1]
    with atomic_path(out) as tmp:
        shutil.copyfile(src, tmp)
        f = _open(tmp, geometry.endian or detect_endian(src), mode="r+")
        try:
            if f.tracecount != len(cells):
                raise SeisgrowError(f"{src.name} changed since it was read ({f.tracecount} traces); reload it")
            dtype = np.asarray(f.trace.raw[0]).dtype
            n_xl = ti.shape[1]
            for k, cell in enumerate(flat_cells):
                i, j = divmod(int(cell), n_xl)
                f.trace[k] = inline_of(i)[j].astype(dtype, copy=False)
        finally:
            f.close()
    return out


class _InlineCache:
    """One inline of labels at a time: lazy labels (a blockwise run's store) are read inline by
    inline in trace order instead of whole."""

    def __init__(self, labels) -> None:
        self.labels, self.index, self.block = labels, -1, None

    def __call__(self, i: int) -> np.ndarray:
        if i != self.index:
            self.index, self.block = i, np.asarray(self.labels[i])
        return self.block


def is_segy_path(path: str | Path) -> bool:
    return os.fspath(path).lower().endswith((".sgy", ".segy"))
