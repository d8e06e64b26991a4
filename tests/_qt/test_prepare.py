"""Learning the volume in the background while painting, in a real viewer."""

from __future__ import annotations

import torch

from napari_seisgrow._qt.prepare import signature

from .test_widget import WAIT_MS, _paint, setup  # noqa: F401  (the fixture)


def test_pretraining_runs_while_painting_and_training_starts_from_it(qtbot, setup, monkeypatch):  # noqa: F811
    from napari_seisgrow._qt import prepare

    monkeypatch.setattr(prepare, "STEPS", 4)
    viewer, widget, synth = setup
    image = viewer.layers["seismic"]
    widget.learn_box.setChecked(True)
    config = widget.settings.config()
    qtbot.waitUntil(lambda: widget.prepare.weights(image, config) is not None, timeout=WAIT_MS)
    assert "know the volume" in widget.status.text()
    weights = widget.prepare.weights(image, config)
    assert widget.strat.known(image) is not None  # the coordinate came with it
    _paint(widget, synth)
    widget.start_training()
    qtbot.waitUntil(lambda: widget.session is not None, timeout=WAIT_MS)
    assert widget.session.trainer.pretrained and widget.session.trainer.pretrained_weights is weights
    qtbot.waitUntil(lambda: not widget.running, timeout=WAIT_MS)
    changed = widget.session.config.with_overrides(width=4)
    assert signature(changed) != signature(config) and widget.prepare.weights(image, changed) is None


def test_train_while_learning_stops_it_and_uses_what_it_has(qtbot, setup, monkeypatch):  # noqa: F811
    from napari_seisgrow._qt import prepare

    monkeypatch.setattr(prepare, "STEPS", 100_000)  # would run for hours
    _, widget, synth = setup
    widget.learn_box.setChecked(True)
    qtbot.waitUntil(lambda: "step" in widget.status.text(), timeout=WAIT_MS)
    _paint(widget, synth)
    widget.start_training()
    qtbot.waitUntil(lambda: not widget.running and widget.session is not None, timeout=WAIT_MS)
    assert not widget.prepare.running
    assert widget.session.trainer.pretrained
    first = next(iter(widget.session.trainer.pretrained_weights[0].values()))
    assert isinstance(first, torch.Tensor)
