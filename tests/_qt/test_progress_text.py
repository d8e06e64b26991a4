"""The status line after an epoch: what it says and that it fits the panel for 2 to 20 classes."""

from __future__ import annotations

import numpy as np

from napari_seisgrow._qt.progress_text import progress_text
from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.engine.report import EpochReport


def _report(epoch: int, epochs: int, n_classes: int, fraction: float) -> EpochReport:
    return EpochReport(
        epoch=epoch, epochs=epochs, stage="cps", sup_loss=0.1, cps_loss=0.01, cps_weight=1.0, seconds=3.2,
        grown=np.zeros((1, 1, 1), np.uint8), grown_counts={k: 10_000 * k for k in range(1, n_classes + 1)},
        labelled_fraction=fraction, holdout_accuracy=0.9,
    )  # fmt: skip


def test_mid_run_says_why_little_is_labelled_and_what_the_end_does():
    text = progress_text(_report(5, 16, 10, 0.07), GrowConfig())
    assert "Epoch 6/16" in text
    assert "labelled 7.0%" in text and "both networks agree and are confident" in text
    assert "the last epoch labels the rest along the layering" in text
    assert "held-out strokes: 90.0% right" in text


def test_the_last_epoch_says_how_it_completed():
    assert "completed along the layering" in progress_text(_report(15, 16, 3, 1.0), GrowConfig())
    no_fill = progress_text(_report(15, 16, 3, 0.4), GrowConfig(fill_final=False))
    assert "labels the rest" not in no_fill and "labelled 40.0%" in no_fill


def test_fits_the_status_area_whatever_the_number_of_classes():
    for n in (2, 10, 20):
        lines = progress_text(_report(3, 16, n, 0.5), GrowConfig()).splitlines()
        assert len(lines) <= 5  # the status label is six lines high
        assert max(len(line) for line in lines) <= 90


def test_says_the_thresholds_the_epoch_grew_at():
    report = _report(5, 16, 4, 0.3)
    assert "≥ 0.6" in progress_text(report, GrowConfig())  # no thresholds in the report: the settings'
    report.thresholds = (0.4, 0.4, 0.4, 0.4)  # a dense-seeds run grows at dense_threshold
    text = progress_text(report, GrowConfig())
    assert "≥ 0.4)" in text and "0.6" not in text


def test_the_last_epoch_says_what_the_layered_model_decided():
    report = _report(15, 16, 3, 1.0)
    assert "units top to bottom" not in progress_text(report, GrowConfig())
    report.layering = "classes as layers: units top to bottom 2, 1; class 3 is a body (shares class 1's layers)"
    assert progress_text(report, GrowConfig()).splitlines()[-1] == report.layering
