"""IBM System/360 single floats to IEEE float32 in numpy, bit for bit as segyio converts them.

Most legacy post-stack SEG-Y stores IBM floats (format 1). Going through segyio trace by trace
reads them at a fraction of the speed of a memory-mapped IEEE file; this vectorised conversion
lets both readers take the IBM file's words straight from the memory map, in threads.

segyio uses the fast integer conversion common in seismic software: the fraction's leading hex
digit picks a multiplier that normalises it (exact for every normalised word) and an exponent
offset, added as integers; magnitudes below IBM 0x21200000 (about 2^-130) become +0, above
0x611FFFFF (float32's range) a NaN of the word's sign. Unnormalised words (leading hex digit 0),
which writers do not produce, come out as segyio makes them, not as their value.

Everything but the fraction is decided by a word's top 11 bits (sign, exponent, the fraction's
top three bits), so two 2048-entry tables hold the multiplier and the exponent term (the sign
added in: every unsigned result is below 2^31, so adding the sign bit sets it), and each word
costs a few integer operations.

Those operations run in one compiled loop (numba), which reads each word once, swaps its bytes
in a register and writes the float: numpy needed five passes over cache-sized blocks and reached
a quarter of a memory-map copy's speed (docs/benchmarks.md). The loop releases the GIL, so the
readers' threads convert chunks in parallel. numba is imported, and the loop compiled (then
cached on disk), the first time an IBM file is read: nothing else pays for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np


def _tables() -> tuple[np.ndarray, np.ndarray]:
    key = np.arange(2048, dtype=np.uint32)
    sign = (key >> np.uint32(10)) << np.uint32(31)
    exp = (key >> np.uint32(3)) & np.uint32(0x7F)
    lead = key & np.uint32(7)  # the fraction's top three bits
    scale = np.array([8, 4, 2, 2, 1, 1, 1, 1], np.uint32)[lead]
    offset = np.array([0x21800000, 0x21400000, 0x21000000, 0x21000000, 0x20C00000, 0x20C00000, 0x20C00000,
                       0x20C00000], np.uint32)[lead]  # fmt: skip
    with np.errstate(over="ignore"):
        term = ((exp << np.uint32(24)) - offset) << np.uint32(1)  # wraps as segyio's C does
    lowest = (exp << np.uint32(24)) | (lead << np.uint32(21))  # the thresholds fall on key boundaries
    under, over = lowest < 0x21200000, lowest > 0x611FFFFF
    scale[under | over] = 0
    term[under] = 0
    term[over] = 0x7FFFFFFF
    sign[under] = 0
    with np.errstate(over="ignore"):
        return scale, (term + sign).astype(np.uint32)


_SCALE, _TERM = _tables()


_KERNEL: Callable[..., Any] | None = None


def kernel() -> Callable[..., Any]:
    """The compiled conversion loop, built (or read from numba's cache) on first use: compiled for
    its one signature at once, so that the first conversion does not pay for it."""
    global _KERNEL
    if _KERNEL is None:
        import numba

        words_2d = numba.types.Array(numba.uint32, 2, "A", readonly=True)  # strided views of the file's records
        table = numba.uint32[::1]
        signature = numba.void(words_2d, numba.boolean, table, table, numba.uint32[:, :])

        @numba.njit(signature, nogil=True, cache=True)
        def convert(words, swap, scale, term, out):  # pragma: no cover - compiled
            n, m = words.shape
            for i in range(n):
                for j in range(m):
                    w = np.int64(words[i, j])
                    if swap:
                        w = ((w & 0xFF) << 24) | ((w & 0xFF00) << 8) | ((w >> 8) & 0xFF00) | (w >> 24)
                    k = w >> 21
                    out[i, j] = np.uint32(((w & 0xFFFFFF) * np.int64(scale[k]) + np.int64(term[k])) & 0xFFFFFFFF)

        _KERNEL = convert
    return _KERNEL


def ibm_to_float32(words: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """IBM singles as uint32 words in any byte order (e.g. a big-endian, strided view of a file),
    to float32, written into ``out`` (float32, same shape) when given."""
    w = np.asarray(words)
    if w.dtype.kind != "u" or w.dtype.itemsize != 4:
        w = w.astype(np.uint32)
    if out is not None and not out.flags.c_contiguous:
        out[...] = ibm_to_float32(w)
        return out
    result = np.empty(w.shape, np.float32) if out is None else out
    if w.size == 0:
        return result
    swap = w.dtype.byteorder not in ("=", "|") and w.dtype.byteorder != ("<" if sys.byteorder == "little" else ">")
    native = w.view(w.dtype.newbyteorder("="))  # the same bytes, read as native words: swapped in the loop
    flat = native.reshape(-1, native.shape[-1]) if native.ndim >= 1 else native.reshape(1, 1)
    flat = flat.view()
    flat.flags.writeable = False  # one signature for every input: the loop only reads it
    kernel()(flat, swap, _SCALE, _TERM, result.reshape(flat.shape).view(np.uint32))
    return result
