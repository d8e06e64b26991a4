"""A volume too big for memory, in a real napari viewer: a lazy layer, seeds in Zarr, blockwise training.

"Too big" is made true by telling the engine this machine has almost no memory free; the
files, the viewer, the training and the stores are all real.
"""

from __future__ import annotations

import dask.array as da
import numpy as np
import pytest

from napari_seisgrow._qt.widget import SeisGrowWidget
from napari_seisgrow.engine import GrowConfig, memory
from napari_seisgrow.io import load_volume
from tests.conftest import TINY

WAIT_MS = 120_000


@pytest.fixture
def no_memory(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: 1000)


def test_a_segy_too_big_for_memory_opens_as_a_lazy_layer(make_napari_viewer, f3, no_memory):
    viewer = make_napari_viewer()
    (layer,) = viewer.open(str(f3), plugin="napari-seisgrow")
    assert isinstance(layer.data, da.Array)  # read when shown, trace by trace from the file
    np.testing.assert_array_equal(np.asarray(layer.data[5]), load_volume(f3).data[5])
    assert tuple(layer.axis_labels) == ("inline", "crossline", "time (samples of 4 ms)")


def test_train_and_export_blockwise_from_the_viewer(make_napari_viewer, qtbot, f3, tmp_path, no_memory):
    import shutil

    src = tmp_path / "f3.sgy"
    shutil.copyfile(f3, src)  # the work folder goes beside the source
    viewer = make_napari_viewer()
    (image,) = viewer.open(str(src), plugin="napari-seisgrow")
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    assert isinstance(widget, SeisGrowWidget) and widget.layers.blockwise()
    widget.settings.set_config(GrowConfig(**{**TINY, "orientations": ["inline", "crossline"]}))
    try:
        seeds = widget.data.new_seeds_layer()
        assert not isinstance(seeds.data, np.ndarray)  # a Zarr store beside the source, painted in place
        assert (tmp_path / "f3.sgy.seisgrow-work" / "seeds.zarr").is_dir()
        painted = np.zeros(image.data.shape, np.uint8)
        painted[4, :, 5:25], painted[4, :, 45:70], painted[18, :, 5:25], painted[18, :, 45:70] = 1, 2, 1, 2
        seeds.data[...] = painted
        widget.run.start_training()
        assert widget.model.running
        qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
        grown = widget.layers.grown
        assert isinstance(grown.data, da.Array)
        labels = np.asarray(grown.data)
        np.testing.assert_array_equal(labels[painted > 0], painted[painted > 0])
        assert (labels > 0).mean() > 0.9  # completed after the last epoch
        np.testing.assert_array_equal(np.asarray(seeds.data), painted)  # the user's seeds untouched
        assert widget.status.progress.value() == 2 and widget.training.grow_btn.isEnabled()
        out = widget.files.export(tmp_path / "labels.sgy")
        np.testing.assert_array_equal(load_volume(out).data, labels)
        assert widget.run.regrow() is not None and widget.model.running  # in a worker thread
        qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
        assert isinstance(widget.layers.grown.data, da.Array) and widget.layers.grown.data.shape == labels.shape
        assert widget.files.save(tmp_path / "session") is None  # refused with a message: the work folder is the record
    finally:
        widget.shutdown()
