"""Where things lie in a SEG-Y file: the byte layout both readers (whole and lazy) share."""

from __future__ import annotations

import numpy as np

TEXT_HEADER_BYTES = 3200
BINARY_HEADER_BYTES = 400
FORMAT_CODE_OFFSET = 24  # within the binary header (bytes 3225-3226 of the file)
TRACE_HEADER_BYTES = 240
OFFSET_BYTE = 37
# Sample formats whose bytes numpy reads as they are; IBM floats (1) are read as words and converted.
DIRECT_DTYPES = {2: "i4", 3: "i2", 5: "f4", 8: "i1", 10: "u4", 11: "u2", 16: "u1"}
IBM_FLOAT = 1


def sample_dtype(fmt_code: int, endian: str) -> np.dtype | None:
    """The numpy dtype of one sample as stored (IBM floats as 32-bit words), or None for a format
    numpy cannot read directly."""
    kind = "u4" if fmt_code == IBM_FLOAT else DIRECT_DTYPES.get(fmt_code)
    if kind is None:
        return None
    return np.dtype(kind).newbyteorder(">" if endian == "big" else "<")


def data_start(f) -> int:
    """The byte where the first trace header begins (after any extended textual headers)."""
    return TEXT_HEADER_BYTES + BINARY_HEADER_BYTES + TEXT_HEADER_BYTES * max(0, int(f.ext_headers))


def fixed_length(f, path, dtype: np.dtype) -> bool:
    """Whether every trace has the same length and nothing trails them (what a memory map needs)."""
    record = TRACE_HEADER_BYTES + len(f.samples) * dtype.itemsize
    return data_start(f) + f.tracecount * record == path.stat().st_size
