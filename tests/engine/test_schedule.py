"""The stage of each epoch and the CPS weight of each step, as pure functions of the settings."""

from __future__ import annotations

import pytest

from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.engine.schedule import cps_weight_at, stage_of


def test_cps_weight_ramps_from_cps_start_and_is_full_once_labels_update():
    cfg = GrowConfig(epochs=8, warmup_epochs=2, cps_epochs=2, steps_per_epoch=4, cps_weight=1.5)
    assert cps_weight_at(cfg, True, 1, 3) == 0.0  # still warming up
    assert cps_weight_at(cfg, True, 2, 0) == pytest.approx(1.5 * (1 / 4) / 2)  # first step of the ramp
    assert cps_weight_at(cfg, True, 3, 3) == pytest.approx(1.5)  # the ramp's last step
    assert cps_weight_at(cfg, True, 4, 0) == 1.5  # the label-update stage
    assert cps_weight_at(cfg, False, 6, 0) == 0.0  # dense seeds alone: never any CPS


def test_a_run_on_dense_seeds_alone_stays_in_warm_up():
    cfg = GrowConfig(epochs=8, warmup_epochs=2, cps_epochs=3)
    assert [stage_of(cfg, True, e) for e in (0, 2, 5)] == ["warmup", "cps", "grow"]
    assert {stage_of(cfg, False, e) for e in range(8)} == {"warmup"}
