from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest
import segyio

from napari_seisgrow import SeisgrowError, load_volume, write_labels
from napari_seisgrow.io.segy import read_segy
from tests.conftest import write_test_segy

F3_LIKE = ["f3.sgy", "f3-lsb.sgy", "Format1msb.sgy", "Format5msb.sgy", "Format8msb.sgy"]


@pytest.mark.parametrize("name", F3_LIKE)
def test_f3_family_loads_with_real_geometry(segy_dir, name):
    vol = load_volume(segy_dir / name)
    g = vol.geometry
    assert vol.shape == (23, 18, 75)
    assert vol.data.dtype == np.float32
    assert list(g.inlines) == list(range(111, 134))
    assert list(g.crosslines) == list(range(875, 893))
    assert g.sample_interval == 4.0
    assert g.sample_unit == "ms"
    assert np.allclose(np.diff(g.samples), 4.0)
    assert g.live_mask is None
    assert g.source.endswith(name)
    assert np.abs(vol.data).max() > 0


def test_big_and_little_endian_give_the_same_cube(segy_dir):
    big = load_volume(segy_dir / "f3.sgy")
    little = load_volume(segy_dir / "f3-lsb.sgy")
    assert big.geometry.endian == "big" and little.geometry.endian == "little"
    np.testing.assert_array_equal(big.data, little.data)


def test_cube_matches_segyio_reference(segy_dir):
    vol = load_volume(segy_dir / "f3.sgy")
    with segyio.open(str(segy_dir / "f3.sgy")) as f:
        ref = segyio.tools.cube(f)
    np.testing.assert_array_equal(vol.data, ref.astype(np.float32))


def test_small_ibm_values(segy_dir):
    vol = load_volume(segy_dir / "small.sgy")
    assert vol.shape == (5, 5, 50)
    assert vol.data.min() == pytest.approx(1.2, abs=1e-5)
    assert vol.data.max() == pytest.approx(5.24, abs=1e-3)
    assert vol.geometry.sample_format == "ibm-float32"


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("broken.sgy", "truncated"),
        ("text.sgy", "no traces"),
        ("shot-gather.sgy", "no regular 3-D geometry"),
        ("small-ps.sgy", "pre-stack"),
        ("small-ps-dec-il-xl-off.sgy", "pre-stack"),
    ],
)
def test_bad_files_get_one_line_errors(segy_dir, name, phrase):
    with pytest.raises(SeisgrowError) as err:
        load_volume(segy_dir / name)
    msg = str(err.value)
    assert phrase in msg
    assert "\n" not in msg
    assert name in msg


def test_not_segy_at_all(tmp_path):
    p = tmp_path / "junk.sgy"
    p.write_bytes(b"\x00" * 100)
    with pytest.raises(SeisgrowError, match="too short"):
        load_volume(p)


def test_irregular_survey_fills_dead_traces_and_exports_only_live(tmp_path):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(4, 5, 12)).astype(np.float32)
    live = np.ones((4, 5), bool)
    live[0, 0] = live[3, 4] = live[2, 1] = False
    src = write_test_segy(tmp_path / "irr.sgy", data, np.arange(10, 14), np.arange(20, 30, 2), live=live)
    vol = load_volume(src)
    assert vol.shape == (4, 5, 12)
    assert list(vol.geometry.crosslines) == [20, 22, 24, 26, 28]
    np.testing.assert_array_equal(vol.geometry.live_mask, live)
    np.testing.assert_array_equal(vol.data[live], data[live])
    assert not vol.data[~live].any()

    labels = rng.integers(0, 4, size=vol.shape).astype(np.uint8)
    out = write_labels(tmp_path / "labels.sgy", labels, vol.geometry)
    with segyio.open(str(out), ignore_geometry=True) as f:
        assert f.tracecount == int(live.sum())
    back = load_volume(out)
    np.testing.assert_array_equal(back.data[live], labels[live])


def test_crossline_sorted_and_custom_byte_locations(tmp_path):
    rng = np.random.default_rng(2)
    data = rng.normal(size=(3, 4, 8)).astype(np.float32)
    src = write_test_segy(
        tmp_path / "xl.sgy",
        data,
        np.array([5, 6, 7]),
        np.array([1, 2, 3, 4]),
        crossline_sorted=True,
        iline_byte=9,
        xline_byte=21,
    )
    with pytest.raises(SeisgrowError):
        load_volume(src)  # default bytes 189/193 hold zeros here
    vol = load_volume(src, iline=9, xline=21)
    np.testing.assert_array_equal(vol.data, data)
    assert vol.geometry.iline_byte == 9


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_export_like_f3_keeps_headers_and_reads_back(tmp_path, segy_dir):
    src = tmp_path / "f3.sgy"
    shutil.copyfile(segy_dir / "f3.sgy", src)
    before = _sha(src)
    vol = load_volume(src)
    labels = (np.arange(np.prod(vol.shape)).reshape(vol.shape) % 5).astype(np.uint8)
    out = write_labels(tmp_path / "labels.sgy", labels, vol.geometry)
    assert _sha(src) == before
    with segyio.open(str(src), ignore_geometry=True) as a, segyio.open(str(out), ignore_geometry=True) as b:
        assert a.text[0] == b.text[0]
        assert bytes(a.bin.buf) == bytes(b.bin.buf)
        assert a.tracecount == b.tracecount
        for k in range(a.tracecount):
            assert bytes(a.header[k].buf) == bytes(b.header[k].buf)
    back = load_volume(out)
    np.testing.assert_array_equal(back.data, labels.astype(np.float32))
    assert not list(tmp_path.glob(".*part"))


@pytest.mark.parametrize("name", ["Format1msb.sgy", "Format5msb.sgy", "Format8msb.sgy", "f3-lsb.sgy"])
def test_export_round_trip_every_format(tmp_path, segy_dir, name):
    vol = load_volume(segy_dir / name)
    labels = np.random.default_rng(3).integers(0, 7, vol.shape).astype(np.uint8)
    out = write_labels(tmp_path / "out.sgy", labels, vol.geometry)
    np.testing.assert_array_equal(load_volume(out).data, labels)


def test_export_refuses_bad_requests_and_writes_nothing(tmp_path, segy_dir):
    src = tmp_path / "f3.sgy"
    shutil.copyfile(segy_dir / "f3.sgy", src)
    vol = load_volume(src)
    before = _sha(src)
    with pytest.raises(SeisgrowError, match="same file"):
        write_labels(src, np.zeros(vol.shape, np.uint8), vol.geometry)
    with pytest.raises(SeisgrowError, match="shape"):
        write_labels(tmp_path / "o.sgy", np.zeros((2, 2, 2), np.uint8), vol.geometry)
    with pytest.raises(SeisgrowError, match="does not exist"):
        write_labels(tmp_path / "missing" / "o.sgy", np.zeros(vol.shape, np.uint8), vol.geometry)
    assert _sha(src) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f3.sgy"]


def test_int8_source_cannot_hold_large_labels(tmp_path, segy_dir):
    vol = read_segy(segy_dir / "Format8msb.sgy")
    labels = np.full(vol.shape, 200, np.uint8)
    with pytest.raises(SeisgrowError, match="do not fit"):
        write_labels(tmp_path / "o.sgy", labels, vol.geometry)
    assert not list(tmp_path.iterdir())


def test_nan_amplitudes_are_refused(tmp_path):
    data = np.ones((2, 2, 6), np.float32)
    data[1, 1, 3] = np.nan
    src = write_test_segy(tmp_path / "nan.sgy", data, np.array([1, 2]), np.array([1, 2]))
    with pytest.raises(SeisgrowError, match="NaN"):
        load_volume(src)


def test_export_like_little_endian_crossline_sorted_irregular(tmp_path):
    rng = np.random.default_rng(4)
    data = rng.normal(size=(3, 4, 6)).astype(np.float32)
    live = np.ones((3, 4), bool)
    live[1, 2] = False
    src = write_test_segy(tmp_path / "le.sgy", data, np.array([1, 2, 3]), np.array([7, 8, 9, 10]), live=live,
                          crossline_sorted=True, endian="little")  # fmt: skip
    vol = load_volume(src)
    assert vol.geometry.endian == "little"
    labels = rng.integers(1, 6, vol.shape).astype(np.uint8)
    out = write_labels(tmp_path / "out.sgy", labels, vol.geometry)
    with segyio.open(str(src), ignore_geometry=True, endian="little") as a:
        with segyio.open(str(out), ignore_geometry=True, endian="little") as b:
            for k in range(a.tracecount):
                assert bytes(a.header[k].buf) == bytes(b.header[k].buf)
    back = load_volume(out)
    np.testing.assert_array_equal(back.data[live], labels[live])


DIRECT_CASES = [*F3_LIKE, "small.sgy", "small-lsb.sgy"]


@pytest.mark.parametrize("name", DIRECT_CASES)
def test_direct_reader_equals_segyio_reader(segy_dir, name):
    """numpy reads IEEE and integer samples itself; it must give segyio's cube, bit for bit."""
    fast = read_segy(segy_dir / name)
    slow = read_segy(segy_dir / name, fast=False)
    assert fast.data.dtype == np.float32 and fast.data.flags.c_contiguous
    np.testing.assert_array_equal(fast.data, slow.data)


@pytest.mark.parametrize("endian", ["big", "little"])
def test_direct_reader_on_irregular_crossline_sorted_files(tmp_path, endian):
    rng = np.random.default_rng(7)
    data = rng.normal(size=(5, 6, 9)).astype(np.float32)
    live = rng.random((5, 6)) > 0.2
    src = write_test_segy(tmp_path / "x.sgy", data, np.arange(1, 6), np.arange(10, 16), live=live,
                          crossline_sorted=True, endian=endian)  # fmt: skip
    fast = read_segy(src)
    np.testing.assert_array_equal(fast.data, read_segy(src, fast=False).data)
    np.testing.assert_array_equal(fast.data[live], data[live])


def test_direct_reader_refuses_nan_too(tmp_path):
    data = np.ones((3, 2, 6), np.float32)
    data[2, 1, 5] = np.inf
    src = write_test_segy(tmp_path / "inf.sgy", data, np.array([1, 2, 3]), np.array([1, 2]))
    with pytest.raises(SeisgrowError, match="trace 5"):
        read_segy(src)


@pytest.mark.parametrize(("name", "direct"), [("f3.sgy", True), ("f3-lsb.sgy", True), ("Format5msb.sgy", True),
                                              ("Format8msb.sgy", True), ("Format1msb.sgy", True)])  # fmt: skip
def test_direct_reader_is_used_for_ieee_integers_and_ibm(segy_dir, name, direct):
    from napari_seisgrow.io.segy import DirectTraces, detect_endian

    path = segy_dir / name
    endian = detect_endian(path)
    with segyio.open(str(path), ignore_geometry=True, endian=endian) as f:
        fmt = int(f.bin[segyio.BinField.Format])
        assert (DirectTraces.open(f, path, endian, fmt) is not None) == direct
