"""Strokes train semi-supervised, densely labelled sections on the seeds alone (``semi_supervised``)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.engine.supervision import painted_share, use_semi_supervision
from napari_seisgrow.synthetic import seed_inlines, seed_scribbles

from ..conftest import TINY


def _share(seeds: np.ndarray) -> float:
    return painted_share(np.flatnonzero(seeds), seeds.shape)


def test_painted_share_tells_labelled_sections_from_strokes(tiny_synthetic):
    truth = tiny_synthetic.truth
    assert _share(seed_inlines(truth, 2)) == pytest.approx(1.0)
    crosslines = np.zeros_like(truth)
    crosslines[:, [3, 17]] = truth[:, [3, 17]]
    assert _share(crosslines) == pytest.approx(1.0)  # whichever axis the sections run along
    strokes = seed_scribbles(truth, n_inlines=3, fraction=0.02, seed=0)
    assert _share(strokes) == 0.0
    half = np.zeros_like(truth)
    half[4, :12] = truth[4, :12]  # one inline, half of it labelled: dense
    assert _share(half) == pytest.approx(1.0)
    assert _share(np.zeros_like(truth)) == 0.0


def test_a_stroke_across_labelled_inlines_keeps_them_dense(tiny_synthetic):
    """One crossline stroke across every inline made each a painted section: two fully labelled
    inlines then read as 4 % labelled, and trained as strokes."""
    truth = tiny_synthetic.truth
    seeds = seed_inlines(truth, 2)
    ni = truth.shape[0]
    seeds[:, 7, 20:23] = truth[:, 7, 20:23]  # a stroke along a crossline, through all inlines
    assert ni > 8 and _share(seeds) > 0.9
    assert not use_semi_supervision("auto", _share(seeds))


def test_strokes_down_whole_traces_of_a_2d_line_are_strokes():
    """On a 2-D line the crossline planes are single traces: four strokes down four traces (under
    1 % of the line) used to read as fully labelled sections."""
    seeds = np.zeros((1, 400, 120), np.uint8)
    for k, trace in enumerate((40, 140, 240, 340)):
        seeds[0, trace, :] = 1 + k % 2
    assert (seeds > 0).mean() < 0.011
    assert _share(seeds) == 0.0 and use_semi_supervision("auto", _share(seeds))


def test_the_setting_resolves_auto_by_density_and_obeys_on_and_off():
    assert use_semi_supervision("auto", 0.02) and not use_semi_supervision("auto", 0.9)
    assert use_semi_supervision("on", 0.9) and not use_semi_supervision("off", 0.02)


def test_dense_seeds_train_on_the_seeds_alone_and_say_so(tiny_synthetic, tiny_seeds):
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 3, "cps_epochs": 1})
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    assert not session.semi_supervised
    drawn = []
    session.trainer.sampler.unlabelled_batch = lambda n: drawn.append(n)  # must never be asked for
    reports = list(session.run())
    assert [r.stage for r in reports] == ["warmup"] * 3  # no CPS stage, no label updates
    assert all(session.cps_lambda(e, 0) == 0.0 for e in range(3)) and drawn == []
    assert any(
        "densely labelled sections: training on the seeds alone" in n and "growing at 0.4" in n
        for n in reports[0].notes
    )
    assert reports[-1].thresholds == (0.4,) * int(tiny_seeds.max())
    assert (session.grown > 0).all()  # growth and completion still label the volume


def test_strokes_keep_the_semi_supervised_stages(tiny_synthetic):
    strokes = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 3, "cps_epochs": 1})
    session = Session(tiny_synthetic.volume, strokes, cfg)
    assert session.semi_supervised
    assert [cfg.stage(e) for e in range(3)] == ["cps", "grow", "grow"]
    assert session.cps_lambda(2, 0) == cfg.cps_weight


def test_dense_seeds_grow_at_the_dense_threshold_and_strokes_at_the_class_thresholds(tiny_synthetic, tiny_seeds):
    strokes = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 1, "grow_thresholds": [0.3, 0.5]})
    k = int(tiny_seeds.max())
    assert Session(tiny_synthetic.volume, strokes, cfg).growth_thresholds() == [0.3] + [0.5] * (k - 1)
    grown = []
    for t in (0.0, 0.99):
        session = Session(tiny_synthetic.volume, tiny_seeds, cfg.with_overrides(dense_threshold=t, fill_final=False))
        assert session.growth_thresholds() == [t] * k
        list(session.run())
        grown.append(int((session.grown > 0).sum()))
    assert grown[0] > grown[1] >= int((tiny_seeds > 0).sum())  # a lower threshold grows further


def test_the_setting_takes_effect_on_a_running_session_and_new_seeds_do_not_switch_it(tiny_synthetic, tiny_seeds):
    strokes = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 1, "fill_final": False})
    session = Session(tiny_synthetic.volume, strokes, cfg)
    assert session.semi_supervised
    session.config = session.config.with_overrides(semi_supervised="off")  # e.g. changed before Continue
    assert not session.semi_supervised
    session.config = session.config.with_overrides(semi_supervised="auto")
    list(session.run())
    session.update_seeds(tiny_seeds)  # whole inlines painted: the run still decides as it began, and says so
    assert session.semi_supervised
    assert any("this run keeps training with pseudo labels" in n for n in session.drain_notes())


def test_a_resumed_run_keeps_its_decision_on_pseudo_labels(tmp_path, tiny_synthetic, tiny_seeds):
    strokes = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 1, "fill_final": False})
    session = Session(tiny_synthetic.volume, strokes, cfg)
    list(session.run())
    session.save_checkpoint(tmp_path / "ckpt")
    resumed = Session.resume(tmp_path / "ckpt", tiny_synthetic.volume, tiny_seeds)  # now whole inlines
    assert resumed.semi_supervised  # decided when the run began, with strokes
    assert not Session(tiny_synthetic.volume, tiny_seeds, cfg).semi_supervised  # a new run decides anew
