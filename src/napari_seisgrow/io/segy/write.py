"""Writing labels as the samples of a copy of the source SEG-Y, every header kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from ..atomic import atomic_path, check_output_path
from ..errors import SeisgrowError
from ..geometry import Geometry
from .open import detect_endian, open_segy
from .read import read_segy

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
        f = open_segy(tmp, geometry.endian or detect_endian(src), mode="r+")
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
