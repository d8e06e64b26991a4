"""Strokes train semi-supervised, densely labelled sections on the seeds alone (``semi_supervised``)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.engine.supervision import DENSE_SHARE, painted_share, use_semi_supervision
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
    assert 0 < _share(strokes) < DENSE_SHARE
    half = np.zeros_like(truth)
    half[4, :12] = truth[4, :12]  # one inline, half of it labelled
    assert _share(half) == pytest.approx(0.5)
    assert _share(np.zeros_like(truth)) == 0.0


def test_the_setting_resolves_auto_by_density_and_obeys_on_and_off():
    assert use_semi_supervision("auto", 0.02) and not use_semi_supervision("auto", 0.9)
    assert use_semi_supervision("on", 0.9) and not use_semi_supervision("off", 0.02)


def test_dense_seeds_train_on_the_seeds_alone_and_say_so(tiny_synthetic, tiny_seeds):
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 3, "cps_epochs": 1})
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    assert not session.semi_supervised
    drawn = []
    session.sampler.unlabelled_batch = lambda n: drawn.append(n)  # must never be asked for
    reports = list(session.run())
    assert [r.stage for r in reports] == ["warmup"] * 3  # no CPS stage, no label updates
    assert all(session._cps_lambda(e, 0) == 0.0 for e in range(3)) and drawn == []
    assert any("labelled: training on the seeds alone" in n and "growing at 0.4" in n for n in reports[0].notes)
    assert reports[-1].thresholds == (0.4,) * int(tiny_seeds.max())
    assert (session.grown > 0).all()  # growth and completion still label the volume


def test_strokes_keep_the_semi_supervised_stages(tiny_synthetic):
    strokes = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 3, "cps_epochs": 1})
    session = Session(tiny_synthetic.volume, strokes, cfg)
    assert session.semi_supervised
    assert [cfg.stage(e) for e in range(3)] == ["cps", "grow", "grow"]
    assert session._cps_lambda(2, 0) == cfg.cps_weight


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


def test_the_setting_and_new_seeds_take_effect_on_a_running_session(tiny_synthetic, tiny_seeds):
    strokes = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "semi_supervised": "auto", "epochs": 1, "fill_final": False})
    session = Session(tiny_synthetic.volume, strokes, cfg)
    assert session.semi_supervised
    session.config = session.config.with_overrides(semi_supervised="off")  # e.g. changed before Continue
    assert not session.semi_supervised
    session.config = session.config.with_overrides(semi_supervised="auto")
    list(session.run())
    session.update_seeds(tiny_seeds)  # whole inlines painted: the regrowth already uses the dense threshold
    assert not session.semi_supervised
    confident = (session.confidence >= session.config.dense_threshold) & (session.training_grown > 0)
    assert ((session.training_grown == 0) | (tiny_seeds > 0) | confident).all()
