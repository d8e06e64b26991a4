"""Opening a SEG-Y through segyio: the byte order, and one-line errors for files that are not post-stack data."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import SeisgrowError
from ..geometry import SAMPLE_FORMATS
from .layout import BINARY_HEADER_BYTES, FORMAT_CODE_OFFSET, TEXT_HEADER_BYTES


def segyio():
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


def open_segy(path: Path, endian: str, mode: str = "r"):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return segyio().open(str(path), mode, ignore_geometry=True, endian=endian)
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
    f = open_segy(path, endian)
    if f.tracecount == 0 or len(f.samples) == 0:
        f.close()
        what = "no traces (textual/binary header only)" if f.tracecount == 0 else "zero samples per trace"
        raise SeisgrowError(f"{path.name} has {what}")
    return f, endian


@contextmanager
def reading(f, path: Path) -> Iterator[None]:
    """Close ``f`` however reading ends, and turn segyio's errors into one line naming the file."""
    try:
        yield
    except SeisgrowError:
        raise
    except (RuntimeError, OSError, IndexError, ValueError) as exc:
        raise SeisgrowError(f"{path.name} could not be read as SEG-Y: {str(exc).splitlines()[0]}") from exc
    finally:
        f.close()


def sample_axis(f) -> tuple[np.ndarray, float]:
    """The sample times (or depths) and the interval in ms (m), 4 ms where the headers give none."""
    return np.asarray(f.samples, dtype=np.float64), float(segyio().tools.dt(f, fallback_dt=4000.0)) / 1000.0
