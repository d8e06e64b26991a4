"""The plugin's reader, writer and sample data in a real napari viewer (under Xvfb)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow._napari.layer_kwargs import METADATA_KEY
from napari_seisgrow.io import SeisgrowError, load_volume


def test_open_f3_through_the_plugin(make_napari_viewer, segy_dir):
    viewer = make_napari_viewer()
    layers = viewer.open(str(segy_dir / "f3.sgy"), plugin="napari-seisgrow")
    assert len(layers) == 1
    layer = layers[0]
    assert layer._type_string == "image"
    assert layer.data.shape == (23, 18, 75)
    assert tuple(layer.axis_labels) == ("inline", "crossline", "time (samples of 4 ms)")
    np.testing.assert_allclose(layer.scale, (1, 1, 1))
    np.testing.assert_allclose(layer.translate, (111, 875, 1))
    geom = layer.metadata[METADATA_KEY]
    assert list(geom.inlines) == list(range(111, 134))
    lo, hi = layer.contrast_limits
    assert lo == pytest.approx(-hi)
    assert hi == pytest.approx(np.percentile(np.abs(layer.data), 99), rel=1e-3)
    # World coordinates are real line numbers and samples (the first at 4 ms), one trace per sample.
    world = layer.data_to_world((0, 17, 74))
    np.testing.assert_allclose(world, (111, 892, 300 / 4))


def test_sample_data_opens(make_napari_viewer):
    viewer = make_napari_viewer()
    viewer.open_sample("napari-seisgrow", "synthetic")
    names = [layer.name for layer in viewer.layers]
    assert names == ["synthetic seismic", "seeds", "truth"]
    image, seeds, truth = viewer.layers
    assert image.data.shape == seeds.data.shape == truth.data.shape == (64, 96, 160)
    m = seeds.data > 0
    assert m.any()
    np.testing.assert_array_equal(seeds.data[m], truth.data[m])
    assert tuple(seeds.translate) == tuple(image.translate)


def test_labels_writer_exports_like_source(make_napari_viewer, segy_dir, tmp_path):
    viewer = make_napari_viewer()
    (image,) = viewer.open(str(segy_dir / "f3.sgy"), plugin="napari-seisgrow")
    labels = np.zeros(image.data.shape, np.uint8)
    labels[3:7, :, 20:40] = 2
    layer = viewer.add_labels(labels, name="facies", metadata=dict(image.metadata))
    for ext in (".sgy", ".npy", ".zarr"):
        out = tmp_path / f"facies{ext}"
        written = layer.save(str(out), plugin="napari-seisgrow")
        assert written == [str(out)]
        np.testing.assert_array_equal(np.asarray(load_volume(out).data), labels)


@pytest.mark.parametrize(("name", "phrase"), [("broken.sgy", "truncated"), ("small-ps.sgy", "pre-stack"),
                                              ("text.sgy", "no traces")])  # fmt: skip
def test_bad_segy_in_the_viewer_fails_with_our_one_line(make_napari_viewer, segy_dir, name, phrase):
    """napari reports a reader's exception as a notification; its message must be ours, one line."""
    viewer = make_napari_viewer()
    with pytest.raises(Exception) as err:
        viewer.open(str(segy_dir / name), plugin="napari-seisgrow")
    cause = err.value
    while cause.__cause__ is not None and not isinstance(cause, SeisgrowError):
        cause = cause.__cause__
    assert isinstance(cause, SeisgrowError) and phrase in str(cause) and "\n" not in str(cause)
    assert len(viewer.layers) == 0
