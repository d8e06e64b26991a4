"""IBM floats: numpy's conversion against segyio's, bit for bit, and the readers that use it."""

from __future__ import annotations

import numpy as np
import pytest
import segyio
import segyio._segyio  # segyio.tools.native needs its extension loaded

from napari_seisgrow.io import load_volume
from napari_seisgrow.io.ibm import ibm_to_float32
from napari_seisgrow.io.segy import DirectTraces, open_post_stack, read_segy

IBM_FILES = ("Format1msb.sgy", "small.sgy", "small-lsb.sgy")


def _segyio(words: np.ndarray) -> np.ndarray:
    """segyio's conversion of native uint32 words (it reads them in the file's big-endian order)."""
    return np.asarray(segyio.tools.native(words.astype(">u4").view(np.float32).copy(), format=1), np.float32)


def test_every_kind_of_word_converts_as_segyio_converts_it():
    rng = np.random.default_rng(7)
    random = rng.integers(0, 2**32, 500_000, dtype=np.uint64).astype(np.uint32)  # unnormalised ones too
    special = [
        (s << 31) | (e << 24) | f
        for s in (0, 1)
        for e in (0, 1, 0x20, 0x21, 0x22, 0x40, 0x41, 0x60, 0x61, 0x62, 0x7F)  # zero, tiny, around 1, huge
        for f in (0, 1, 0x0FFFFF, 0x100000, 0x1FFFFF, 0x200000, 0x7FFFFF, 0x800000, 0xFFFFFF)
    ]
    words = np.concatenate([random, np.array(special, np.uint32)])
    got = ibm_to_float32(words)
    assert got.dtype == np.float32 and got.shape == words.shape
    np.testing.assert_array_equal(got.view(np.uint32), _segyio(words).view(np.uint32))


def test_the_values_of_normalised_words():
    words = np.array([0x41100000, 0xC1100000, 0x42640000, 0x40800000, 0, 0x80000000], np.uint32)
    np.testing.assert_array_equal(ibm_to_float32(words), [1.0, -1.0, 100.0, 0.5, 0.0, 0.0])
    assert ibm_to_float32(words.reshape(2, 3)).shape == (2, 3)


@pytest.mark.parametrize("name", IBM_FILES)
def test_ibm_files_are_read_by_numpy_bit_for_bit_as_segyio_reads_them(segy_dir, name):
    path = segy_dir / name
    f, endian = open_post_stack(path, None)
    try:
        assert DirectTraces.open(f, path, endian, 1) is not None  # the fast path takes IBM files now
    finally:
        f.close()
    fast, slow = read_segy(path), read_segy(path, fast=False)
    assert fast.geometry.sample_format == "ibm-float32"
    np.testing.assert_array_equal(fast.data.view(np.uint32), slow.data.view(np.uint32))
    lazy = load_volume(path, lazy=True).data
    np.testing.assert_array_equal(np.asarray(lazy[...]).view(np.uint32), slow.data.view(np.uint32))
