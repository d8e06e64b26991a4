from __future__ import annotations

import numpy as np
import pytest
import zarr

from napari_seisgrow import SeisgrowError, load_volume, write_labels
from napari_seisgrow.io import read_labels, validate_labels
from napari_seisgrow.io.arrays import write_zarr
from napari_seisgrow.io.atomic import atomic_path
from napari_seisgrow.io.geometry import Geometry


def test_npy_is_memory_mapped(tmp_path):
    arr = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(np.float32)
    np.save(tmp_path / "v.npy", arr)
    vol = load_volume(tmp_path / "v.npy")
    assert isinstance(vol.data, np.memmap)
    np.testing.assert_array_equal(vol.data, arr)
    assert vol.geometry.shape == (3, 4, 5)


def test_npy_integer_volume_becomes_float32(tmp_path):
    np.save(tmp_path / "v.npy", np.arange(24, dtype=np.int16).reshape(2, 3, 4))
    vol = load_volume(tmp_path / "v.npy")
    assert vol.data.dtype == np.float32


def test_single_line_is_a_one_inline_volume(tmp_path):
    np.save(tmp_path / "line.npy", np.zeros((7, 9), np.float32))
    assert load_volume(tmp_path / "line.npy").shape == (1, 7, 9)


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 4, 5), np.float32), np.zeros((0, 3, 4), np.float32)])
def test_wrong_dimensions(tmp_path, bad):
    np.save(tmp_path / "b.npy", bad)
    with pytest.raises(SeisgrowError):
        load_volume(tmp_path / "b.npy")


def test_nan_in_npy(tmp_path):
    arr = np.zeros((20, 3, 4), np.float32)
    arr[17, 1, 1] = np.inf
    np.save(tmp_path / "n.npy", arr)
    with pytest.raises(SeisgrowError, match="inline index 17"):
        load_volume(tmp_path / "n.npy")


def test_zarr_is_lazy_and_keeps_geometry(tmp_path):
    geom = Geometry(
        inlines=np.arange(10, 13),
        crosslines=np.arange(5, 9),
        samples=np.arange(6) * 2.0,
        sample_interval=2.0,
        sample_unit="ms",
    )
    labels = np.random.default_rng(0).integers(0, 4, (3, 4, 6)).astype(np.uint8)
    write_zarr(tmp_path / "l.zarr", labels, geom)
    vol = load_volume(tmp_path / "l.zarr")
    assert not isinstance(vol.data, np.ndarray)  # lazy
    assert list(vol.geometry.inlines) == [10, 11, 12]
    np.testing.assert_array_equal(np.asarray(vol.data), labels)
    z = zarr.open_array(str(tmp_path / "l.zarr"), mode="r")
    assert z.dtype == np.uint8


@pytest.mark.parametrize("ext", [".npy", ".zarr"])
def test_label_round_trip_and_overwrite(tmp_path, ext):
    geom = Geometry.default((3, 4, 5))
    a = np.random.default_rng(1).integers(0, 5, (3, 4, 5)).astype(np.uint8)
    write_labels(tmp_path / f"l{ext}", a, geom)
    np.testing.assert_array_equal(read_labels(tmp_path / f"l{ext}"), a)
    write_labels(tmp_path / f"l{ext}", a + 1, geom)
    np.testing.assert_array_equal(read_labels(tmp_path / f"l{ext}"), a + 1)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_failed_write_keeps_the_old_file(tmp_path):
    dest = tmp_path / "keep.npy"
    dest.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.npy"]


@pytest.mark.parametrize(
    ("labels", "phrase"),
    [
        (np.zeros((2, 2, 2), np.uint8), "shape"),
        (np.full((3, 4, 5), 0.5), "whole numbers"),
        (np.full((3, 4, 5), -1), "negative"),
        (np.full((3, 4, 5), 300), "at most 255"),
    ],
)
def test_validate_labels(labels, phrase):
    with pytest.raises(SeisgrowError, match=phrase):
        validate_labels(labels, (3, 4, 5))


def test_validate_labels_accepts_integer_floats():
    out = validate_labels(np.ones((3, 4, 5), np.float32), (3, 4, 5))
    assert out.dtype == np.uint8


def test_unsupported_extension(tmp_path):
    (tmp_path / "v.txt").write_text("x")
    with pytest.raises(SeisgrowError, match="unsupported"):
        load_volume(tmp_path / "v.txt")
    with pytest.raises(SeisgrowError, match="does not exist"):
        load_volume(tmp_path / "nope.npy")


def test_outputs_are_readable_by_others(tmp_path):
    geom = Geometry.default((2, 2, 2))
    for name in ("l.npy", "l.zarr"):
        out = write_labels(tmp_path / name, np.ones((2, 2, 2), np.uint8), geom)
        assert out.stat().st_mode & 0o044 == 0o044  # group and others may read (umask 022)


def test_nan_in_zarr_is_refused(tmp_path):
    z = zarr.open_array(str(tmp_path / "n.zarr"), mode="w", shape=(3, 3, 4), dtype="f4")
    z[...] = 1.0
    z[2, 1, 1] = np.nan
    with pytest.raises(SeisgrowError, match="NaN"):
        load_volume(tmp_path / "n.zarr")


def test_empty_line_is_refused(tmp_path):
    np.save(tmp_path / "e.npy", np.zeros((0, 5), np.float32))
    with pytest.raises(SeisgrowError, match="empty"):
        load_volume(tmp_path / "e.npy")


def test_stale_sidecar_is_removed(tmp_path):
    geom = Geometry(inlines=np.arange(5, 7), crosslines=np.arange(2), samples=np.arange(2.0))
    write_labels(tmp_path / "l.npy", np.ones((2, 2, 2), np.uint8), geom)
    assert (tmp_path / "l.npy.json").is_file()
    write_labels(tmp_path / "l.npy", np.ones((2, 2, 2), np.uint8))
    assert not (tmp_path / "l.npy.json").exists()
    assert list(load_volume(tmp_path / "l.npy").geometry.inlines) == [0, 1]
