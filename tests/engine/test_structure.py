"""Reflector dips and the stratigraphic coordinate, on synthetics whose layering is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.dips import StructureSettings, lag_shifts, reflector_dips
from napari_seisgrow.engine.structure import stratigraphic_coordinate
from napari_seisgrow.synthetic import ricker
from napari_seisgrow.synthetic.strata import make_strata


def _layered(shape, age, seed=0):
    """Seismic whose reflectors are the iso-surfaces of ``age`` (samples): random beds, a wavelet."""
    rng = np.random.default_rng(seed)
    n = int(age.max()) + 40
    series = rng.normal(size=n) * (rng.random(n) < 0.35)
    refl = np.interp(age.ravel() + 20, np.arange(n), series).reshape(shape)
    x = ndimage.convolve1d(refl, ricker(30, 4), axis=2)
    return (x / np.abs(x).max()).astype(np.float32)


def _spread_along(values, age, lo, hi):
    """RMS spread of ``values`` within each unit-wide band of ``age`` (between ``lo`` and ``hi``)."""
    band = np.floor(age).astype(int)
    keep = (band >= lo) & (band < hi)
    b, v = band[keep], values[keep].astype(np.float64)
    n = np.bincount(b)
    ok = n > 0
    mean = np.bincount(b, v)[ok] / n[ok]
    var = np.bincount(b, v * v)[ok] / n[ok] - mean**2
    return float(np.sqrt(np.maximum(var, 0).mean()))


def test_a_plane_wave_gives_its_dip():
    shape = (1, 120, 100)
    x_ = np.arange(shape[1])[None, :, None]
    t_ = np.arange(shape[2])[None, None, :]
    x = _layered(shape, (t_ - 0.4 * x_).astype(np.float32) + 40)
    dips, planarity = reflector_dips(x)
    inner = (slice(None), slice(15, -15), slice(15, -15))
    assert len(dips) == 1  # one lateral axis has extent
    assert abs(float(np.median(dips[0][inner])) - 0.4) < 0.03
    assert float(np.median(planarity[inner])) > 0.9


def test_the_coordinate_is_constant_along_folded_reflectors():
    shape = (1, 240, 140)
    x_ = np.arange(shape[1])[None, :, None].astype(np.float32)
    t_ = np.arange(shape[2])[None, None, :].astype(np.float32)
    age = t_ - 12 * np.sin(2 * np.pi * x_ / 160) * (0.5 + t_ / shape[2]) - 0.1 * x_  # folds growing with depth
    x = _layered(shape, age)
    tau = stratigraphic_coordinate(x)
    assert tau.shape == shape and tau.dtype == np.float32
    time = np.broadcast_to(t_, shape)
    along = _spread_along(tau, age, 20, 100)
    assert along < 1.5  # within about a sample and a half along every reflector
    assert along < 0.15 * _spread_along(time, age, 20, 100)  # where plain time is off by many samples


def test_a_small_volume_in_3d():
    shape = (20, 28, 64)
    i_ = np.arange(shape[0])[:, None, None].astype(np.float32)
    j_ = np.arange(shape[1])[None, :, None].astype(np.float32)
    t_ = np.arange(shape[2])[None, None, :].astype(np.float32)
    age = t_ - 0.3 * i_ + 0.2 * j_ + 10
    x = _layered(shape, np.broadcast_to(age, shape))
    tau = stratigraphic_coordinate(x)
    assert _spread_along(tau, np.broadcast_to(age, shape), 14, 50) < 1.0


def test_distant_traces_find_a_fault_throw():
    shape = (1, 60, 120)
    t_ = np.arange(shape[2])[None, None, :].astype(np.float32)
    x_ = np.arange(shape[1])[None, :, None]
    age = np.broadcast_to(t_ - np.where(x_ >= 30, 9.0, 0.0), shape)  # 9 samples down right of trace 30
    x = _layered(shape, age)
    shift, quality = lag_shifts(x, 1, 8, np.zeros((1, 52, 120), np.float32), StructureSettings())
    across = shift[0, 22:30, 30:90]  # pairs (i, i + 8) that straddle the fault
    good = quality[0, 22:30, 30:90] > 0.5
    assert good.mean() > 0.5
    assert abs(float(np.median(across[good])) - 9.0) < 0.6


def _muted(seed=1, noise=0.3):
    """A noisy section folded gently, muted (set to exactly 0) above an irregular front, as real
    surveys are: the front jumps between 8 and 45 samples every two traces."""
    shape = (1, 240, 140)
    x_ = np.arange(shape[1])[None, :, None].astype(np.float32)
    t_ = np.arange(shape[2])[None, None, :].astype(np.float32)
    age = np.broadcast_to(t_ - 6 * np.sin(2 * np.pi * x_ / 200), shape)
    rng = np.random.default_rng(seed)
    x = _layered(shape, age, seed) + noise * rng.normal(size=shape).astype(np.float32)
    front = np.repeat(rng.integers(8, 45, shape[1] // 2), 2)
    x[0][np.arange(shape[2])[None, :] < front[:, None]] = 0.0
    return x, age


def test_a_mute_front_does_not_bend_the_horizons(monkeypatch):
    """The gradients at a mute's edge follow the mute, and a correlation window across it aligns
    live samples with muted ones: with neither taken as layering, the horizons through the muted
    zone keep to the reflectors (about 1.7 samples of spread here, 3.8 when the dead samples count)."""
    import napari_seisgrow.engine.dips as dips_module

    x, age = _muted()
    tau = stratigraphic_coordinate(x)
    assert _spread_along(tau, age, 20, 50) < 2.5
    assert _spread_along(tau, age, 50, 120) < 1.0  # below the mute, as before
    monkeypatch.setattr(dips_module, "near_dead", lambda x, reach: None)
    assert _spread_along(stratigraphic_coordinate(x), age, 20, 50) > 2.5  # the same solve, dead samples counted


def test_dead_samples_give_no_dip_and_no_correlation():
    x, _ = _muted(noise=0.0)
    dips, planarity = reflector_dips(x)
    dead = x == 0
    assert (planarity[dead] == 0).all() and (dips[0][dead] == 0).all()
    assert (planarity[0, :, 100:] > 0).mean() > 0.95  # far below the mute the dips stand
    _, quality = lag_shifts(x, 1, 8, np.zeros((1, 232, 140), np.float32), StructureSettings())
    reach = int(np.ceil(3.0 * StructureSettings().lag_window))
    assert (quality[0, :, : 45 + reach - 1][dead[0, :232, : 45 + reach - 1]] == 0).all()
    assert quality[0, :, 45 + reach :].max() > 0.5  # a window that sees no dead sample correlates


def test_a_correlation_is_judged_dead_where_the_second_window_matched():
    """Trace b's window lies where it matched trace a, up to tens of samples off: a mute there
    spoils the pair even where b is live at a's own depth."""
    shape = (1, 40, 200)
    t_ = np.arange(shape[2])[None, None, :].astype(np.float32)
    x_ = np.arange(shape[1])[None, :, None]
    age = np.broadcast_to(t_ + np.where(x_ >= 20, 20.0, 0.0), shape)  # the right block 20 samples up
    x = _layered(shape, age)
    x[0, 20:, :40] = 0.0  # the right block muted above sample 40
    shift, quality = lag_shifts(x, 1, 8, np.full((1, 32, 200), -20.0, np.float32), StructureSettings())
    across = slice(12, 20)  # pairs from the left block into the right one
    assert abs(float(np.median(shift[0, across, 100:150])) + 20.0) < 0.5
    reach = int(np.ceil(3.0 * StructureSettings().lag_window))
    assert (quality[0, across, : 40 + 20 + reach] == 0).all()  # b's window reaches its mute here
    assert quality[0, across, 40 + 20 + reach + 2 : 150].min() > 0.5


def test_single_traces_and_short_traces_get_plain_time():
    x = np.random.default_rng(0).normal(size=(1, 1, 50)).astype(np.float32)
    np.testing.assert_array_equal(stratigraphic_coordinate(x)[0, 0], np.arange(50, dtype=np.float32))


@pytest.mark.parametrize("seed", [0])
def test_on_same_texture_units_the_coordinate_separates_units_better_than_time(seed):
    """Units of the same bedding differ only by position: the nearest stroke in the coordinate
    labels them better than the nearest stroke in time."""
    from napari_seisgrow.metrics import segmentation_scores
    from napari_seisgrow.synthetic.strokes import seed_bedding_strokes

    s = make_strata((1, 300, 150), seed, fault_throw=0.0)
    seeds = seed_bedding_strokes(s.truth, s.rgt, length=0.15, seed=seed)
    x, _ = normalise(s.volume.data)
    tau = stratigraphic_coordinate(x)

    def nearest_in(coord):
        m = seeds > 0
        order = np.argsort(coord[m])
        cv, classes = coord[m][order], seeds[m][order]
        k = np.clip(np.searchsorted(cv, coord), 1, len(cv) - 1)
        pick = np.where(np.abs(coord - cv[k - 1]) <= np.abs(cv[k] - coord), k - 1, k)
        return classes[pick]

    time = np.broadcast_to(np.arange(150, dtype=np.float32), s.truth.shape)
    by_tau = segmentation_scores(nearest_in(tau), s.truth)["miou"]
    by_time = segmentation_scores(nearest_in(time), s.truth)["miou"]
    assert by_tau > by_time + 0.1


def test_a_coarse_level_rescales_dips_and_lags_along_an_axis_it_does_not_halve():
    """A small lateral axis stops halving while time goes on: its dips (samples per trace) and its
    lag shifts halve with time, and its lag pairs keep their lag (they used to keep the fine dips
    and be re-paired at half the lag, on a coarse grid where they no longer meet)."""
    import torch

    from napari_seisgrow.engine.structure import _coarser, _Fields, _levels

    shape = (30, 160, 200)
    step = _levels(shape, 24)[0]
    assert step == [1, 2]  # the 30 inlines are too few to halve
    ones = torch.ones(shape)
    pairs = torch.ones((shape[0] - 8, *shape[1:]))
    fine = _Fields(shape, {0: 1.5 * ones, 1: 0.2 * ones}, ones, [(0, 8, 12.0 * pairs, pairs), (1, 8, 1.6 * ones, ones)])
    coarse = _coarser(fine, step)
    assert coarse.shape == (30, 80, 100)
    assert torch.allclose(coarse.dips[0], torch.tensor(0.75), atol=1e-4)  # one sample per trace is half a coarse one
    assert torch.allclose(coarse.dips[1], torch.tensor(0.2), atol=1e-4)  # both axes halved: unchanged
    (a0, lag0, shift0, _), (a1, lag1, shift1, _) = coarse.lags
    assert (a0, lag0, a1, lag1) == (0, 8, 1, 4)
    assert shift0.shape == (22, 80, 100) and torch.allclose(shift0, torch.tensor(6.0), atol=1e-3)
    assert torch.allclose(shift1, torch.tensor(0.8), atol=1e-3)


def _fault_age(x_, t_):
    return t_ - 0.08 * x_ - np.where(x_ >= 120, 12.0, 0.0)  # dipping beds, 12 samples down right of trace 120


def _unconformity_age(x_, t_):
    surface = 75 + 6 * np.sin(2 * np.pi * x_ / 200)  # flat beds onlap an eroded, tilted sequence
    return np.where(t_ < surface, t_, 100 + t_ - 0.25 * x_)


def _folded_age(x_, t_):
    return t_ - 10 * np.sin(2 * np.pi * x_ / 180)


@pytest.mark.parametrize(
    ("age_of", "noise", "bands", "tolerance"),
    [
        (_fault_age, 0.0, [(7, 119)], 1.0),  # measured 0.37-0.39 (seeds 0-2); plain time 11.2
        (_unconformity_age, 0.0, [(20, 65), (115, 180)], 2.0),  # measured up to 0.16 above, 0.56-1.47 below
        (_folded_age, 0.5, [(21, 133)], 1.5),  # signal-to-noise 2: measured 0.45-0.94; plain time 6.9
    ],
    ids=["fault with throw", "unconformity", "noise at snr 2"],
)
def test_the_coordinate_follows_the_known_geologic_time(age_of, noise, bands, tolerance):
    """Against the geologic time that made the seismic: across a fault whose throw the dips cannot
    follow, above and below an angular unconformity, and in noise as strong as half the signal."""
    shape = (1, 240, 160)
    x_ = np.arange(shape[1])[None, :, None].astype(np.float32)
    t_ = np.arange(shape[2])[None, None, :].astype(np.float32)
    age = np.broadcast_to(age_of(x_, t_), shape)
    x = _layered(shape, age, seed=0)
    if noise:
        x = (x + np.random.default_rng(0).normal(size=shape) * x.std() * noise).astype(np.float32)
    tau = stratigraphic_coordinate(x)
    time = np.broadcast_to(t_, shape)
    for lo, hi in bands:
        assert _spread_along(tau, age, lo, hi) < tolerance
        assert _spread_along(tau, age, lo, hi) <= max(0.2 * _spread_along(time, age, lo, hi), 0.5)
