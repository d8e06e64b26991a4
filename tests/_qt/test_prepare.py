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
    widget.training.learn_box.setChecked(True)
    config = widget.settings.config()
    qtbot.waitUntil(lambda: widget.run.prepare.weights(image, config) is not None, timeout=WAIT_MS)
    assert "know the volume" in widget.status.status.text()
    weights = widget.run.prepare.weights(image, config)
    assert widget.layers.strat.known(image) is not None  # the coordinate came with it
    _paint(widget, synth)
    widget.run.start_training()
    qtbot.waitUntil(lambda: widget.model.session is not None, timeout=WAIT_MS)
    assert widget.model.session.trainer.pretrained and widget.model.session.trainer.pretrained_weights is weights
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    changed = widget.model.session.config.with_overrides(width=4)
    assert signature(changed) != signature(config) and widget.run.prepare.weights(image, changed) is None


def test_train_while_learning_stops_it_and_uses_what_it_has(qtbot, setup, monkeypatch):  # noqa: F811
    from napari_seisgrow._qt import prepare

    monkeypatch.setattr(prepare, "STEPS", 100_000)  # would run for hours
    _, widget, synth = setup
    widget.training.learn_box.setChecked(True)
    qtbot.waitUntil(lambda: "step" in widget.status.status.text(), timeout=WAIT_MS)
    _paint(widget, synth)
    widget.run.start_training()
    qtbot.waitUntil(lambda: not widget.model.running and widget.model.session is not None, timeout=WAIT_MS)
    assert not widget.run.prepare.running
    assert widget.model.session.trainer.pretrained
    first = next(iter(widget.model.session.trainer.pretrained_weights[0].values()))
    assert isinstance(first, torch.Tensor)
