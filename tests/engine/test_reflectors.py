"""A boundary surface moved onto the reflector it started near."""

from __future__ import annotations

import numpy as np

from napari_seisgrow.engine.reflectors import amplitude_at, follow_reflector


def _section(nx: int = 200, nt: int = 100, depth: float = 50.0, swing: float = 3.0):
    """Weak flat bedding with one strong positive reflector that wanders ``swing`` samples up and
    down across the section, on a coordinate that stays flat (it missed the wander)."""
    x = np.arange(nx)
    true = depth + swing * np.sin(2 * np.pi * x / nx)
    t = np.arange(nt, dtype=np.float64)
    amp = 0.2 * np.sin(2 * np.pi * t / 7.0)[None] + np.exp(-0.5 * ((t[None] - true[:, None]) / 1.2) ** 2)
    tau = np.broadcast_to(t, (1, nx, nt)).copy()
    return tau, amp[None].astype(np.float32), true


def test_amplitude_at_reads_the_trace_where_its_coordinate_reaches_a_level():
    tau = np.array([[[0.0, 2.0, 4.0, 6.0]]])
    amp = np.array([[[0.0, 10.0, 20.0, 30.0]]], np.float32)
    got = amplitude_at(tau, amp, np.array([[[1.0, 4.0, 5.5, 7.0, -1.0]]]))
    np.testing.assert_allclose(got[0, 0], [5.0, 20.0, 27.5, 0.0, 0.0])


def test_a_flat_surface_moves_onto_the_reflector_the_coordinate_missed():
    tau, amp, true = _section()
    start = np.full(tau.shape[:2], 50.0)
    moved = follow_reflector(tau, amp, start, polarity=1.0)
    before = np.abs(start[0] - true).mean()
    after = np.abs(moved[0] - true).mean()
    assert before > 1.8
    assert after < 0.8


def test_the_surface_never_enters_rows_the_strokes_forbid():
    tau, amp, _ = _section()
    start = np.full(tau.shape[:2], 50.0)
    low = np.full(tau.shape[:2], -np.inf)
    low[0, 40:60] = 53.0  # a stroke of the unit above reaches down to 53 here
    moved = follow_reflector(tau, amp, start, polarity=1.0, low=low)
    assert (moved[0, 40:60] > 53.0).all()


def test_in_a_volume_neighbouring_lines_keep_one_surface():
    tau2, amp2, true = _section()
    tau = np.repeat(tau2, 12, axis=0)
    amp = np.repeat(amp2, 12, axis=0) + np.random.default_rng(0).normal(0, 0.05, (12, *amp2.shape[1:]))
    moved = follow_reflector(tau, amp.astype(np.float32), np.full(tau.shape[:2], 50.0), polarity=1.0)
    assert np.abs(moved - true[None]).mean() < 1.0
    assert np.abs(np.diff(moved, axis=0)).max() < 1.0
