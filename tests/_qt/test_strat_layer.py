"""The "stratigraphic coordinate" layer in a real viewer: computed off the GUI thread, reused by training."""

from __future__ import annotations

import numpy as np

from napari_seisgrow._qt.strat_layer import NAME
from napari_seisgrow.engine.channels import strat_for_volume

from .test_widget import WAIT_MS, _paint, setup  # noqa: F401  (the fixture)


def test_the_layer_shows_the_coordinate_and_training_reuses_it(qtbot, setup):  # noqa: F811
    viewer, widget, synth = setup
    widget.reviewing.strat_box.setChecked(True)
    qtbot.waitUntil(lambda: NAME in viewer.layers, timeout=WAIT_MS)
    layer = viewer.layers[NAME]
    image = viewer.layers["seismic"]
    assert layer.data.shape == image.data.shape
    np.testing.assert_allclose(layer.scale, image.scale)
    expected = strat_for_volume(synth.volume.data).full()
    np.testing.assert_allclose(np.asarray(layer.data), expected, atol=1e-4)  # the engine's coordinate
    assert (np.diff(np.asarray(layer.data), axis=2) > 0).all()  # it grows down every trace
    assert NAME not in [widget.data.image_combo.itemText(k) for k in range(widget.data.image_combo.count())]

    known = widget.layers.strat.known(image)
    _paint(widget, synth)
    widget.run.start_training()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.model.session is not None and widget.model.session.strat is known  # not solved a second time
    widget.reviewing.strat_box.setChecked(False)
    assert NAME not in viewer.layers


def test_the_coordinate_is_solved_while_the_user_paints_and_train_waits_for_that_solve(qtbot, setup):  # noqa: F811
    viewer, widget, synth = setup
    image = viewer.layers["seismic"]
    assert widget.layers.strat.worker is not None or widget.layers.strat.known(image) is not None  # started on pick
    assert NAME not in viewer.layers  # solved, not shown
    _paint(widget, synth)
    widget.run.start_training()  # possibly before the solve has ended: the training waits for it
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    known = widget.layers.strat.known(image)
    assert known is not None and widget.model.session.strat is known  # one solve, shared


def test_stop_while_train_waits_for_the_background_solve_ends_at_once(qtbot, make_napari_viewer, monkeypatch):
    import time

    from napari_seisgrow._napari.layer_kwargs import image_layer_kwargs
    from napari_seisgrow._qt import strat_layer
    from napari_seisgrow.engine import GrowConfig
    from napari_seisgrow.synthetic import make_synthetic
    from tests.conftest import TINY

    real = strat_layer.strat_for_volume

    def slow(data):  # the real solve, after a long while: as on a big survey
        time.sleep(4.0)
        return real(data)

    monkeypatch.setattr(strat_layer, "strat_for_volume", slow)
    viewer = make_napari_viewer()
    synth = make_synthetic((16, 24, 48), seed=5)
    viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    widget.settings.set_config(GrowConfig(**TINY))
    assert widget.layers.strat.worker is not None  # solving while the user paints
    seeds = _paint(widget, synth)
    widget.run.start_training()
    t0 = time.perf_counter()
    widget.run.stop_training()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert time.perf_counter() - t0 < 3.0  # did not wait for the solve
    assert widget.model.session is None
    np.testing.assert_array_equal(widget.layers.grown.data, seeds.data)
    widget.shutdown()
