"""Where to paint next and corrections that teach, in a real napari viewer with tiny real training."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow._napari.layer_kwargs import image_layer_kwargs
from napari_seisgrow._qt.widget import SeisGrowWidget
from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.synthetic import make_synthetic, seed_inlines
from tests.conftest import TINY

WAIT_MS = 120_000


@pytest.fixture
def trained(qtbot, make_napari_viewer):
    viewer = make_napari_viewer()
    synth = make_synthetic((16, 64, 48), seed=5)
    viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    assert isinstance(widget, SeisGrowWidget)
    widget.settings.set_config(GrowConfig(**{**TINY, "fill_final": True}))
    seeds = widget.data.new_seeds_layer()
    seeds.data[...] = seed_inlines(synth.truth, 1)
    seeds.refresh()
    assert not widget.reviewing.next_btn.isEnabled()
    widget.reviewing.doubt_box.setChecked(True)
    widget.run.start_training()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    yield viewer, widget, synth, seeds
    widget.shutdown()


def test_next_suggestion_moves_the_view_to_the_spot_and_says_why(trained):
    viewer, widget, _, _ = trained
    assert widget.model.suggestions and widget.reviewing.next_btn.isEnabled()
    assert widget.layers.overlays["doubt"] is not None and widget.layers.overlays["doubt"] in viewer.layers
    image = viewer.layers["seismic"]
    widget.reviewing.next_btn.click()
    first = widget.model.suggestions[0]
    world = image.data_to_world(first.centre)
    assert viewer.dims.point[0] == pytest.approx(world[0])  # the suggested inline is shown
    assert tuple(viewer.dims.displayed) == (2, 1)  # as a section, time running down
    centre = [float(c) for c in viewer.camera.center][-2:]
    np.testing.assert_allclose(centre, [world[2], world[1]], atol=1e-6)
    box = widget.layers.suggestion
    assert box is not None and len(box.data) == 1
    corners = np.asarray(box.data[0])
    assert corners[:, 0].min() == corners[:, 0].max() == first.inline
    assert corners[:, 1].min() == first.traces[0] and corners[:, 2].max() == first.samples[1] - 1
    assert f"Suggestion 1/{len(widget.model.suggestions)}" in widget.status.status.text()
    names = {c.value: c.name for c in widget.layers.classes.classes}
    assert first.reason(names) in widget.status.status.text()
    if first.source == "networks":
        assert first.disagreement is not None  # at the end of a run the networks' own answers are used
    else:  # a place where a unit boundary, labelled as a layer, may sit on another reflector
        assert first.source == "boundary" and "may lie on another reflector" in widget.status.status.text()
    if len(widget.model.suggestions) > 1:
        widget.reviewing.next_btn.click()
        assert viewer.dims.point[0] == pytest.approx(image.data_to_world(widget.model.suggestions[1].centre)[0])


def test_corrections_become_seeds_of_the_next_training_and_seeds_stay_untouched(qtbot, trained):
    viewer, widget, _, seeds = trained
    painted = seeds.data.copy()
    grown = widget.layers.grown.data
    # a wrong-looking region: give it the class that is not the winner there
    target = (9, slice(20, 30), slice(10, 20))
    current = int(np.bincount(grown[target].ravel()).argmax())
    right = 2 if current != 2 else 1
    layer = widget.review.start_correcting()
    assert layer is not None
    assert viewer.layers.selection.active.name == layer.name == "corrections"  # the plugin sees layers via proxies
    assert layer.mode == "paint", repr(layer.mode)
    assert layer.name not in [widget.data.seeds_combo.itemText(k) for k in range(widget.data.seeds_combo.count())]
    layer.data[target] = right
    layer.refresh()
    layer.events.paint(value=[])  # what a brush stroke emits
    assert widget.training.restart_btn.isEnabled()
    widget.run.continue_with_new_seeds()
    assert "corrected voxels" in widget.status.status.text()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.model.corrected == 100
    assert (widget.model.session.seeds[target] == right).all()  # the engine trained on them as seeds
    assert (widget.layers.grown.data[target] == right).all()  # seeds are never grown over
    assert "100 corrected voxels used as seeds" in widget.status.status.text()
    np.testing.assert_array_equal(seeds.data, painted)  # the user's seeds layer is untouched
    assert widget.review.accept_corrections() == 100
    assert (seeds.data[target] == right).all() and not layer.data.any()


def test_an_undone_correction_is_not_used(trained):
    _, widget, _, _ = trained
    layer = widget.review.start_correcting()
    layer.paint((9, 25, 15), 2)
    assert widget.review.corrections()[9, 25, 15] == 2
    layer.undo()
    assert not widget.review.corrections().any()
    _, seeds, _ = widget.run._snapshot()
    assert widget.model.corrected == 0 and seeds[9, 25, 15] == widget.layers.seeds_layer().data[9, 25, 15]
