"""The live preview in a real viewer: the networks' labels on the displayed section, mid-epoch."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow._napari.layer_kwargs import image_layer_kwargs
from napari_seisgrow._qt.widget import SeisGrowWidget
from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.engine.report import Preview, Swept
from napari_seisgrow.synthetic import make_synthetic, seed_inlines
from tests.conftest import TINY

WAIT_MS = 120_000


@pytest.fixture
def setup(make_napari_viewer):
    viewer = make_napari_viewer()
    synth = make_synthetic((16, 24, 48), seed=5)
    image = viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    assert isinstance(widget, SeisGrowWidget)
    widget.settings.set_config(GrowConfig(**{**TINY, "fill_final": False}))
    seeds = widget.data.new_seeds_layer()
    seeds.data[...] = seed_inlines(synth.truth, 2)
    seeds.refresh()
    yield viewer, widget, image, seeds
    widget.shutdown()


def _show_inline(viewer, image, index: int) -> None:
    viewer.dims.ndisplay = 2
    viewer.dims.order = (0, 1, 2)  # inlines on screen
    viewer.dims.set_point(0, float(image.data_to_world([index, 0, 0])[0]))


def test_a_preview_of_the_shown_inline_appears_follows_the_slice_and_the_epoch_replaces_it(qtbot, setup):
    viewer, widget, image, _ = setup
    _show_inline(viewer, image, 5)
    seen = []

    def on_item(item):
        if isinstance(item, Preview):
            seen.append((item.axis, item.index, np.array_equal(widget.layers.grown.data[item.index], item.labels)))
            if len(seen) == 1:
                _show_inline(viewer, image, 9)  # the interpreter moves on: the next preview follows

    widget.run.start_training()
    widget.model.worker.yielded.connect(on_item)  # after the widget's own slot: the preview is already drawn
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert [s[:2] for s in seen] == [(0, 5), (0, 9), (0, 9), (0, 9)]  # per epoch of 3 steps, after steps 1 and 3
    assert all(s[2] for s in seen)  # drawn in the grown layer on that inline
    assert widget.previews.previews_shown == 4 and widget.previews.first_preview_at is not None
    np.testing.assert_array_equal(widget.layers.grown.data, widget.model.session.grown)  # the epoch's labels, back


def test_the_epochs_pass_fills_in_from_the_shown_crossline_and_its_labels_replace_it(qtbot, setup):
    viewer, widget, image, _ = setup
    viewer.dims.ndisplay = 2
    viewer.dims.order = (1, 0, 2)  # crosslines on screen
    viewer.dims.set_point(1, float(image.data_to_world([0, 7, 0])[1]))
    n_crosslines = image.data.shape[1]
    finished: list[tuple[tuple[int, ...], bool]] = []  # per final pass step: its crosslines, and whether drawn
    said: list[str] = []

    def on_item(item):  # after the widget's own slot: the pass's labels are already in the layer
        if isinstance(item, Swept) and item.epoch == 0 and item.final:
            data = widget.layers.grown.data
            drawn = all(np.array_equal(data[:, i], lab) for i, lab in zip(item.indices, item.labels, strict=True))
            finished.append((item.indices, drawn))

    widget.model.status.connect(said.append)
    widget.run.start_training()
    widget.model.worker.yielded.connect(on_item)
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert finished and finished[0][0][0] == 7  # the crossline on screen is the first the pass finishes
    assert all(drawn for _, drawn in finished)  # each step written into the grown layer as it came
    order = [i for indices, _ in finished for i in indices]
    assert sorted(order) == list(range(n_crosslines)) and max(order[1:5]) - min(order[1:5]) >= n_crosslines // 2
    assert any("of the volume" in t for t in said)  # the status said how much is current
    np.testing.assert_array_equal(widget.layers.grown.data, widget.model.session.grown)  # the grown labels replace it


def test_stopping_during_a_preview_keeps_the_last_good_labels(qtbot, setup):
    viewer, widget, image, seeds = setup
    _show_inline(viewer, image, 3)
    painted = seeds.data.copy()

    def on_item(item):
        if isinstance(item, Preview):
            assert not np.array_equal(widget.layers.grown.data[3], painted[3])  # the preview is on screen
            widget.run.stop_training()

    widget.run.start_training()
    widget.model.worker.yielded.connect(on_item)
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.previews.previews_shown == 1
    np.testing.assert_array_equal(widget.layers.grown.data, painted)  # the seeds, the last good labels
    np.testing.assert_array_equal(seeds.data, painted)


def test_stopping_while_the_pass_fills_in_keeps_the_last_good_labels(qtbot, setup):
    viewer, widget, image, seeds = setup
    _show_inline(viewer, image, 3)
    painted = seeds.data.copy()
    stopped = []

    def on_item(item):
        if isinstance(item, Swept) and not stopped:
            assert (widget.layers.grown.data != painted).any()  # the pass's labels are on screen
            stopped.append(item)
            widget.run.stop_training()

    widget.run.start_training()
    widget.model.worker.yielded.connect(on_item)
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert stopped and widget.model.session.epoch == 0  # stopped in the first epoch's pass
    np.testing.assert_array_equal(widget.layers.grown.data, painted)  # the seeds, the last good labels
    np.testing.assert_array_equal(seeds.data, painted)
