"""Volumes opened lazily (read when sliced) and labels written block by block."""

from __future__ import annotations

import pickle

import dask.array as da
import numpy as np
import pytest

from napari_seisgrow import SeisgrowError, load_volume, write_labels
from napari_seisgrow.io.arrays import read_labels
from napari_seisgrow.io.ibm import ibm_to_float32
from napari_seisgrow.io.segy import SegyTraces
from tests.conftest import write_test_segy

READABLE = ["f3.sgy", "f3-lsb.sgy", "Format1msb.sgy", "Format5msb.sgy", "Format8msb.sgy", "small.sgy", "small-lsb.sgy"]


@pytest.mark.parametrize("name", READABLE)
def test_lazy_segy_equals_the_eager_reader_however_it_is_sliced(segy_dir, name):
    eager = load_volume(segy_dir / name)
    lazy = load_volume(segy_dir / name, lazy=True)
    assert isinstance(lazy.data, SegyTraces) and lazy.shape == eager.shape
    np.testing.assert_array_equal(lazy.geometry.trace_index, eager.geometry.trace_index)
    np.testing.assert_array_equal(lazy.data[...], eager.data)
    for index in [(1,), (slice(None), 2), (..., 3), (slice(1, 4), slice(None, None, 2), slice(5, 9)), (0, 1, 2)]:
        np.testing.assert_array_equal(lazy.data[index], eager.data[index])
    shipped = pickle.loads(pickle.dumps(lazy.data))  # what a dask worker gets: the path, not the samples
    assert len(pickle.dumps(lazy.data)) < 0.5 * eager.data.nbytes + 4096
    np.testing.assert_array_equal(shipped[2], eager.data[2])
    np.testing.assert_array_equal(da.from_array(lazy.data, chunks=(4, 4, -1)).compute(), eager.data)


def test_ibm_conversion_matches_segyio_bit_for_bit():
    """Normalised IBM words (what writers produce), signs and exponents across float32's range."""
    import segyio._segyio  # segyio.tools.native needs its extension loaded

    rng = np.random.default_rng(0)
    n = 20_000
    words = ((rng.integers(0, 2, n, dtype=np.uint32) << 31) | (rng.integers(44, 85, n).astype(np.uint32) << 24)
             | rng.integers(0x100000, 0x1000000, n, dtype=np.uint32))  # fmt: skip
    words[:3] = 0, 0x80000000, 0x41100000  # +0, -0, 1.0
    want = segyio.tools.native(words.byteswap().view(np.float32).copy(), format=1)  # from the file's byte order
    got = ibm_to_float32(words)
    np.testing.assert_array_equal(got.view(np.uint32), np.asarray(want, np.float32).view(np.uint32))
    assert got[2] == 1.0


def test_lazy_segy_reads_dead_traces_as_zero_and_keeps_sorting(tmp_path):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(4, 5, 12)).astype(np.float32)
    live = np.ones((4, 5), bool)
    live[0, 0] = live[3, 4] = False
    src = write_test_segy(tmp_path / "irr.sgy", data, np.arange(10, 14), np.arange(20, 30, 2), live=live,
                          crossline_sorted=True, endian="little")  # fmt: skip
    lazy = load_volume(src, lazy=True).data
    np.testing.assert_array_equal(lazy[...][live], data[live])
    assert not lazy[...][~live].any()


@pytest.mark.parametrize(("name", "phrase"), [("broken.sgy", "truncated"), ("text.sgy", "no traces"),
                                              ("shot-gather.sgy", "no regular 3-D geometry"),
                                              ("small-ps.sgy", "pre-stack")])  # fmt: skip
def test_bad_files_are_one_line_lazily_too(segy_dir, name, phrase):
    with pytest.raises(SeisgrowError, match=phrase) as err:
        load_volume(segy_dir / name, lazy=True)
    assert "\n" not in str(err.value)


def test_lazy_npy_and_zarr_read_nothing_up_front(tmp_path):
    import zarr

    data = np.random.default_rng(2).normal(size=(6, 7, 8)).astype(np.float32)
    np.save(tmp_path / "v.npy", data)
    vol = load_volume(tmp_path / "v.npy", lazy=True)
    assert isinstance(vol.data, np.memmap)
    z = zarr.open_array(str(tmp_path / "v.zarr"), mode="w", shape=data.shape, chunks=(2, 7, 8), dtype="f4")
    z[...] = data
    assert isinstance(load_volume(tmp_path / "v.zarr", lazy=True).data, zarr.Array)
    np.save(tmp_path / "s.npy", np.ones((6, 7, 8), np.uint8))
    assert isinstance(read_labels(tmp_path / "s.npy", lazy=True), np.memmap)


@pytest.mark.parametrize("ext", [".npy", ".zarr", ".sgy"])
def test_lazy_labels_are_written_block_by_block_and_read_back(tmp_path, f3, ext):
    vol = load_volume(f3)
    labels = np.random.default_rng(3).integers(0, 5, size=vol.shape).astype(np.uint8)
    out = write_labels(tmp_path / f"labels{ext}", da.from_array(labels, chunks=(5, 7, 30)), vol.geometry)
    back = load_volume(out).data if ext == ".sgy" else read_labels(out)
    np.testing.assert_array_equal(back, labels)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
