"""Which samples hold no data: runs of zeros down a trace, never a lone zero."""

from __future__ import annotations

import numpy as np

from napari_seisgrow.engine.dead import DEAD_RUN, dead_samples, live_samples


def test_only_runs_of_zeros_are_dead():
    """A mute or a dead trace is a run of zeros; a lone zero is a live sample rounded to 0, which
    16- and 8-bit SEG-Y hold by the thousand."""
    for n in range(1, 9):
        for start in (0, 3, 20 - n):
            x = np.ones((1, 2, 20), np.float32)
            x[0, 0, start : start + n] = 0.0
            dead = dead_samples(x)
            if n < DEAD_RUN:
                assert dead is None
                assert live_samples(x).all()
            else:
                assert dead is not None and (dead == (x == 0)).all()
                np.testing.assert_array_equal(live_samples(x), x != 0)


def test_the_zeros_of_quantised_data_stay_live():
    rng = np.random.default_rng(0)
    trace = np.sin(np.linspace(0, 60, 400)) * (0.5 + rng.random(400))
    quantised = np.round(np.tile(trace, (1, 30, 1)) * 8) / 8  # 4-bit-like: a zero wherever the signal is small
    zeros = int((quantised == 0).sum())
    assert zeros > 300
    assert dead_samples(quantised) is None and live_samples(quantised).all()


def test_a_volume_without_zeros_has_nothing_dead():
    x = np.random.default_rng(1).normal(size=(2, 3, 40)).astype(np.float32) + 10.0
    assert dead_samples(x) is None
