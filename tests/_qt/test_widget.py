"""The SeisGrow dock widget in a real napari viewer (under Xvfb), training tiny real networks."""

from __future__ import annotations

import numpy as np
import pytest
from napari.utils.notifications import notification_manager

from napari_seisgrow._napari.layer_kwargs import image_layer_kwargs
from napari_seisgrow._qt.training import Update
from napari_seisgrow._qt.widget import SeisGrowWidget
from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.io import load_volume
from napari_seisgrow.synthetic import make_synthetic, seed_inlines
from tests.conftest import TINY

WAIT_MS = 120_000


@pytest.fixture
def notes():
    seen: list[str] = []

    def record(event):
        seen.append(str(event.message if hasattr(event, "message") else event))

    notification_manager.notification_ready.connect(record)
    yield seen
    notification_manager.notification_ready.disconnect(record)


@pytest.fixture
def setup(make_napari_viewer):
    viewer = make_napari_viewer()
    synth = make_synthetic((16, 24, 48), seed=5)
    viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    assert isinstance(widget, SeisGrowWidget)
    widget.settings.set_config(GrowConfig(**{**TINY, "fill_final": False}))
    yield viewer, widget, synth
    widget.shutdown()


def _paint(widget, synth):
    layer = widget.data.new_seeds_layer()
    layer.data[...] = seed_inlines(synth.truth, 2)
    layer.refresh()
    return layer


def _train(qtbot, widget):
    widget.run.start_training()
    assert widget.model.running
    assert not widget.training.train_btn.isEnabled() and widget.training.stop_btn.isEnabled()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)


def test_new_seeds_layer_matches_the_image(setup):
    viewer, widget, _ = setup
    image = viewer.layers["seismic"]
    seeds = widget.data.new_seeds_layer()
    assert seeds.data.shape == image.data.shape and seeds.data.dtype == np.uint8
    np.testing.assert_allclose(seeds.scale, image.scale)
    np.testing.assert_allclose(seeds.translate, image.translate)
    assert tuple(seeds.axis_labels) == tuple(image.axis_labels)
    assert seeds.mode == "paint" and seeds.selected_label == 1
    assert widget.data.seeds_combo.currentText() == seeds.name


def test_train_updates_the_grown_layer_each_epoch(qtbot, setup):
    viewer, widget, synth = setup
    seeds = _paint(widget, synth)
    painted = seeds.data.copy()
    snapshots = []
    widget.run.start_training()
    widget.model.worker.yielded.connect(
        lambda u: snapshots.append(widget.layers.grown.data.copy()) if isinstance(u, Update) else None
    )
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert len(snapshots) == 2
    grown = widget.layers.grown
    assert grown.name == "grown" and grown in viewer.layers
    m = painted > 0
    for snap in snapshots:
        np.testing.assert_array_equal(snap[m], painted[m])  # contains the seeds
        assert (snap > 0).sum() > m.sum()  # grows beyond them
    assert not np.array_equal(snapshots[0], snapshots[1])  # changes between epochs
    np.testing.assert_array_equal(seeds.data, painted)  # the user's seeds untouched
    buttons = widget.training
    assert buttons.train_btn.isEnabled() and not buttons.stop_btn.isEnabled() and buttons.grow_btn.isEnabled()
    assert widget.training.device_label.text().startswith("device: cpu")
    assert widget.status.progress.value() == 2


def test_confidence_layer_follows_training_and_the_checkbox(qtbot, setup):
    viewer, widget, synth = setup
    _paint(widget, synth)
    widget.reviewing.confidence_box.setChecked(True)
    _train(qtbot, widget)
    conf = viewer.layers["confidence"]
    assert conf.data.shape == synth.volume.data.shape and conf.data.dtype == np.float32
    np.testing.assert_array_equal(conf.data, widget.model.session.confidence.astype(np.float32))
    assert 0.0 < conf.data.min() and conf.data.max() <= 1.0
    np.testing.assert_allclose(conf.scale, viewer.layers["seismic"].scale)
    widget.reviewing.confidence_box.setChecked(False)
    assert "confidence" not in viewer.layers
    widget.reviewing.confidence_box.setChecked(True)  # after training: shown from the last prediction
    assert "confidence" in viewer.layers


def test_stop_ends_the_worker_and_keeps_labels(qtbot, setup):
    _, widget, synth = setup
    _paint(widget, synth)
    widget.settings.set("epochs", 50)
    widget.run.start_training()
    qtbot.waitUntil(lambda: widget.model.session is not None and widget.model.session.epoch >= 1, timeout=WAIT_MS)
    widget.run.stop_training()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.model.session.epoch < 50
    kept = widget.layers.grown.data.copy()
    assert (kept > 0).any()
    np.testing.assert_array_equal(kept, widget.model.session.grown)
    assert widget.training.train_btn.isEnabled()


def _grow(qtbot, widget) -> np.ndarray:
    """Press Grow and wait: it grows in a worker thread (the viewer stays free), then shows the labels."""
    worker = widget.run.regrow()
    assert worker is not None and widget.model.running and not widget.training.grow_btn.isEnabled()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.training.grow_btn.isEnabled()
    return np.asarray(widget.layers.grown.data)


def test_grow_with_a_higher_threshold_assigns_fewer(qtbot, setup):
    _, widget, synth = setup
    _paint(widget, synth)
    _train(qtbot, widget)
    widget.settings.set("grow_thresholds", [0.0])
    low = (_grow(qtbot, widget) > 0).sum()
    widget.settings.set("grow_thresholds", [0.99])
    high = (_grow(qtbot, widget) > 0).sum()
    assert high < low
    assert (widget.layers.grown.data > 0).sum() == high
    widget.settings.set("layer_claims", "nearest")  # a setting of the last growth: Grow applies it too
    _grow(qtbot, widget)
    assert widget.model.session.config.layer_claims == "nearest"


def test_grow_applies_every_last_growth_setting_of_the_panel(qtbot, setup):
    """Unticking fill final and pressing Grow shows the thresholded growth alone (the user guide's
    promise); ticking it again completes every voxel. Grow used to pass five settings only."""
    _, widget, synth = setup
    _paint(widget, synth)
    _train(qtbot, widget)
    widget.settings.set("grow_thresholds", [0.99])
    widget.settings.set("fill_final", False)
    open_ = _grow(qtbot, widget)
    assert widget.model.session.config.fill_final is False
    assert (open_ == 0).any()
    np.testing.assert_array_equal(open_, widget.model.session.training_grown)
    widget.settings.set("fill_final", True)
    widget.settings.set("agreement", 0.5)
    filled = _grow(qtbot, widget)
    assert (filled > 0).all()
    assert widget.model.session.config.agreement == 0.5


def test_training_error_becomes_a_notification(qtbot, setup, notes, monkeypatch):
    _, widget, synth = setup
    _paint(widget, synth)

    def broken(*args):
        raise RuntimeError("injected fault in a training step")

    monkeypatch.setattr(Session, "step", broken)  # a fault inside the real engine's training step
    widget.run.start_training()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert any("injected fault" in n for n in notes), notes
    assert widget.training.train_btn.isEnabled() and not widget.training.stop_btn.isEnabled()


def test_no_seeds_is_a_notification_not_a_crash(setup, notes):
    _, widget, _ = setup
    widget.data.new_seeds_layer()
    widget.run.start_training()
    assert not widget.model.running
    assert any("no seeds" in n for n in notes)


def test_export_reads_back_equal(qtbot, setup, tmp_path):
    _, widget, synth = setup
    _paint(widget, synth)
    _train(qtbot, widget)
    from napari_seisgrow.saved import provenance

    for ext in (".npy", ".zarr"):
        out = widget.files.export(tmp_path / f"grown{ext}")
        np.testing.assert_array_equal(np.asarray(load_volume(out).data), widget.layers.grown.data)
        assert provenance.read(out)["config"]["epochs"] == TINY["epochs"]


def test_save_then_load_session(qtbot, setup, tmp_path):
    viewer, widget, synth = setup
    _paint(widget, synth)
    widget.layers.classes.classes[0].name = "Shale"
    widget.data.class_table.reload()
    _train(qtbot, widget)
    widget.files.save(tmp_path / "session")
    grown = widget.layers.grown.data.copy()
    seeds = viewer.layers["seeds"].data.copy()

    _, fresh = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    for name in ("seeds", "grown"):
        viewer.layers.remove(name)
    assert fresh.files.load(tmp_path / "session")
    assert fresh.layers.classes.classes[0].name == "Shale"
    assert fresh.data.class_table.item(0, 1).text() == "Shale"
    np.testing.assert_array_equal(viewer.layers[fresh.data.seeds_combo.currentText()].data, seeds)
    np.testing.assert_array_equal(fresh.layers.grown.data, grown)
    assert fresh.model.session is not None and fresh.model.session.epoch == 2
    fresh.settings.set("grow_thresholds", [0.5])
    assert _grow(qtbot, fresh) is not None
    fresh.shutdown()


def test_painting_while_trained_offers_to_continue(qtbot, setup):
    _, widget, synth = setup
    seeds = _paint(widget, synth)
    _train(qtbot, widget)
    assert not widget.training.restart_btn.isEnabled()
    seeds.paint((8, 5, 5), 2)
    assert widget.training.restart_btn.isEnabled()
    widget.settings.set("grow_thresholds", [0.9])  # a last-growth setting: Continue applies it
    widget.run.continue_with_new_seeds()
    assert widget.model.session.config.grow_thresholds == [0.9] and widget.model.session.lr_cycle == 2
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.model.session.epoch == 4
    assert widget.layers.grown.data[8, 5, 5] == 2


def test_f3_start_to_finish_as_a_user_would(qtbot, make_napari_viewer, segy_dir, tmp_path):
    """Open the real F3 cut-out through the plugin, paint two facies, train, re-grow, export SEG-Y."""
    import shutil

    src = tmp_path / "f3.sgy"  # autosave writes beside the source: never beside the shared test data
    shutil.copy(segy_dir / "f3.sgy", src)
    viewer = make_napari_viewer()
    (image,) = viewer.open(str(src), plugin="napari-seisgrow")
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    try:
        assert widget.data.image_combo.currentText() == image.name
        seeds = widget.data.new_seeds_layer()
        assert tuple(viewer.dims.order) == (0, 2, 1)  # an inline section, time running down
        seeds.data[5, 2:16, 10:25] = 1  # strokes in the upper and lower packages of two inlines
        seeds.data[5, 2:16, 50:65] = 2
        seeds.data[17, 3:15, 12:22] = 1
        seeds.data[17, 3:15, 52:62] = 2
        painted = seeds.data.copy()
        widget.settings.set_config(GrowConfig(**{**TINY, "fill_final": True}))
        _train(qtbot, widget)
        grown = widget.layers.grown.data
        # fill_final labels every voxel its class reaches; f3's first samples are dead (all zero)
        assert (grown > 0).mean() > 0.95
        np.testing.assert_array_equal(seeds.data, painted)
        np.testing.assert_array_equal(grown[painted > 0], painted[painted > 0])
        out = widget.files.export(tmp_path / "f3-labels.sgy")
        back = load_volume(out)
        np.testing.assert_array_equal(back.data, grown)
        assert list(back.geometry.inlines) == list(range(111, 134))
    finally:
        widget.shutdown()


def test_autosave_every_epoch_then_restore_on_reopening(qtbot, make_napari_viewer, segy_dir, tmp_path):
    import shutil

    from napari_seisgrow.saved.sessions import load_session

    src = tmp_path / "f3.sgy"
    shutil.copy(segy_dir / "f3.sgy", src)
    viewer = make_napari_viewer()
    viewer.open(str(src), plugin="napari-seisgrow")
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    seeds = widget.data.new_seeds_layer()
    seeds.data[5, 2:16, 10:25] = 1
    seeds.data[17, 3:15, 52:62] = 2
    painted = seeds.data.copy()
    widget.settings.set_config(GrowConfig(**TINY))
    epochs_seen = []
    widget.run.start_training()
    widget.model.worker.yielded.connect(lambda u: epochs_seen.append(u) if isinstance(u, Update) else None)
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    grown = widget.layers.grown.data.copy()
    widget.shutdown()

    folder = tmp_path / "f3.sgy.seisgrow-autosave"  # beside the source: its folder is writable
    assert widget.files.autosave_folder == folder and not any(u.autosave_error for u in epochs_seen)
    saved = load_session(folder)
    np.testing.assert_array_equal(saved.seeds, painted)
    np.testing.assert_array_equal(saved.grown, grown)
    assert saved.checkpoint is not None and saved.config["epochs"] == TINY["epochs"]

    again = make_napari_viewer()  # reopening the volume offers the autosave
    again.open(str(src), plugin="napari-seisgrow")
    _, restored = again.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    try:
        assert not restored.files.restore_btn.isHidden()
        assert restored.files.restore_autosave()
        np.testing.assert_array_equal(again.layers["seeds"].data, painted)
        np.testing.assert_array_equal(restored.layers.grown.data, grown)
        assert restored.model.session is not None and restored.training.grow_btn.isEnabled()
    finally:
        restored.shutdown()


def test_a_failed_suggestion_ranking_is_said_once_and_training_goes_on(qtbot, setup, notes, monkeypatch):
    """Ranking the next places to paint can fail (the networks' separate passes run out of memory):
    the epoch's labels still show, training goes on, and the user hears why once, not per epoch."""
    from napari_seisgrow._qt import training

    def fail(session, *args, **kwargs):
        raise RuntimeError("out of memory in the networks' separate passes")

    monkeypatch.setattr(training, "suggest", fail)  # the ranking the worker calls after every epoch
    _, widget, synth = setup
    _paint(widget, synth)
    _train(qtbot, widget)
    assert widget.model.session.epoch == TINY["epochs"]
    said = [n for n in notes if "No suggestions this epoch" in n]
    assert len(said) == 1 and "out of memory" in said[0]
    assert (widget.layers.grown.data > 0).any()


def test_autosave_failure_warns_and_training_goes_on(qtbot, setup, notes, tmp_path, monkeypatch):
    from napari_seisgrow.saved import autosave

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the autosave folder should go")
    monkeypatch.setattr(autosave, "user_folder", lambda: blocker / "autosave")
    _, widget, synth = setup
    _paint(widget, synth)
    _train(qtbot, widget)
    assert widget.model.session.epoch == TINY["epochs"]  # training finished regardless
    assert any("Autosave failed" in n for n in notes)
    assert (widget.layers.grown.data > 0).any()


def test_closing_the_viewer_during_training_stops_it_cleanly(qtbot, make_napari_viewer):
    viewer = make_napari_viewer()
    synth = make_synthetic((16, 24, 48), seed=5)
    viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    seeds = _paint(widget, synth)
    painted = seeds.data.copy()
    widget.settings.set_config(GrowConfig(**{**TINY, "epochs": 500}))
    widget.run.start_training()
    qtbot.waitUntil(lambda: widget.model.session is not None and widget.model.session.epoch >= 1, timeout=WAIT_MS)
    worker, session = widget.model.worker, widget.model.session
    finished = []
    worker.finished.connect(lambda: finished.append(True))
    viewer.close()
    qtbot.waitUntil(lambda: bool(finished), timeout=WAIT_MS)
    assert session.stopping and session.epoch < 500
    np.testing.assert_array_equal(seeds.data, painted)
    assert (session.grown > 0).sum() >= (painted > 0).sum()  # the last good labels are still there


def test_one_class_and_mismatched_seeds_are_notifications(setup, notes):
    viewer, widget, _ = setup
    seeds = widget.data.new_seeds_layer()
    seeds.data[3, :, :10] = 1  # one class only
    widget.run.start_training()
    assert not widget.model.running and any("class" in n for n in notes), notes
    notes.clear()
    other = viewer.add_labels(np.zeros((4, 4, 4), np.uint8), name="wrong shape")
    other.data[0, 0, 0] = 1
    other.data[1, 1, 1] = 2
    widget.data.seeds_combo.setCurrentText("wrong shape")
    widget.run.start_training()
    assert not widget.model.running and any("shape" in n for n in notes), notes
    assert len(notes) == 1 and "\n" not in notes[0]


@pytest.mark.parametrize(("spoil", "phrase"), [("nan", "NaN"), ("constant", "constant")])
def test_bad_amplitudes_become_a_notification(qtbot, make_napari_viewer, notes, spoil, phrase):
    viewer = make_napari_viewer()
    synth = make_synthetic((16, 24, 48), seed=5)
    data = synth.volume.data.copy()
    if spoil == "nan":
        data[2, 3, 4] = np.nan
    else:
        data[...] = 1.0
    viewer.add_image(data, name="seismic")
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    try:
        widget.settings.set_config(GrowConfig(**TINY))
        _paint(widget, synth)
        widget.run.start_training()
        qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
        assert any(phrase in n for n in notes), notes
        assert widget.training.train_btn.isEnabled() and widget.model.session is None
    finally:
        widget.shutdown()
