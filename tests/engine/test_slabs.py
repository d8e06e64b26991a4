"""Working through a volume in slabs of inlines gives what one pass over the whole volume gives."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import slabs, units
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.layers import agreeing_regions, class_ranges, fill_along_layers, within_envelope
from napari_seisgrow.engine.lazy import Amplitudes


def test_slabs_cover_the_first_axis_in_order_with_at_least_one_inline_each():
    got = slabs.inline_slabs((7, 9, 30), voxels=2 * 9 * 30 + 1)
    assert [(s.start, s.stop) for s in got] == [(0, 2), (2, 4), (4, 6), (6, 7)]
    assert [(s.start, s.stop) for s in slabs.inline_slabs((3, 100, 100), voxels=10)] == [(0, 1), (1, 2), (2, 3)]
    assert [(s.start, s.stop) for s in slabs.inline_slabs((5, 2, 2))] == [(0, 5)]


def _volume(shape=(7, 9, 40)):
    rng = np.random.default_rng(1)
    ni, nx, nt = shape
    z = np.arange(nt, dtype=np.float32)
    bump = rng.normal(0, 2, (ni, nx)).astype(np.float32)
    tau = z[None, None, :] + bump[..., None] * (z / nt)[None, None, :]
    x = (np.sin(tau / 2.0) + 0.3 * rng.standard_normal(shape)).astype(np.float32)
    seeds = np.zeros(shape, np.uint8)
    for c, depth in enumerate((5, 15, 25, 33), start=1):
        seeds[1, 2:7, depth : depth + 2] = c
        seeds[5, 1:5, depth + 1 : depth + 3] = c
    live = np.ones(shape, bool)
    live[3, 4] = False  # a dead trace
    labels = np.where(rng.random(shape) < 0.6, 0, rng.integers(1, 5, shape)).astype(np.uint8)
    return tau, x, seeds, live, labels, rng.random(shape) < 0.6


def _both(monkeypatch, compute):
    """``compute()`` with slabs of two inlines (which do not divide the seven) and in one slab."""
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 2 * 9 * 40 + 1)
    sliced = compute()
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 10**9)
    return sliced, compute()


def _parts(result):
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("step", ["layered", "doubt", "fill", "agreeing", "envelope", "bodies"])
def test_each_step_in_slabs_equals_the_step_in_one_pass(monkeypatch, step):
    tau, x, seeds, live, labels, agree = _volume()
    compute = {
        "layered": lambda: units.layered_labels(tau, x, seeds, [1, 2, 3, 4], live),
        "doubt": lambda: units.unit_doubt(tau, x, seeds, [1, 2, 3, 4], live),
        "fill": lambda: fill_along_layers(labels, tau, 10.0),
        "agreeing": lambda: agreeing_regions(labels == 0, agree, 0.5),
        "envelope": lambda: within_envelope(np.maximum(labels, 1), tau, *class_ranges(seeds, tau, 4), 2.0),
        "bodies": lambda: units.with_bodies(labels, np.where(live, labels[::-1], 0).astype(np.uint8), [2], seeds),
    }[step]
    sliced, whole = _both(monkeypatch, compute)
    sliced, whole = _parts(sliced), _parts(whole)
    assert len(sliced) == len(whole)
    for a, b in zip(sliced, whole, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.any(sliced[0])  # something was computed


def test_the_flattened_profile_in_slabs_equals_it_in_one_pass(monkeypatch):
    tau, x, _, live, _, _ = _volume()
    (p1, first1), (p2, first2) = _both(monkeypatch, lambda: units.flattened_profile(x, tau, live))
    assert first1 == first2 and p1.shape == p2.shape
    np.testing.assert_allclose(p1, p2, rtol=1e-12, atol=1e-15)  # the same sums, added in another order


def test_the_envelope_in_slabs_is_each_voxel_within_its_class_interval(monkeypatch):
    """Checked against the rule itself, voxel by voxel, not against another run of the code: a
    voxel is inside when its coordinate lies within ``margin`` of its winning class's interval."""
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 2 * 9 * 40 + 1)
    tau, _, seeds, _, labels, _ = _volume()
    winner = np.maximum(labels, 1)
    lo, hi = class_ranges(seeds, tau, 4)
    got = within_envelope(winner, tau, lo, hi, 2.0)
    want = np.zeros(tau.shape, bool)
    for idx in np.ndindex(tau.shape):
        c = int(winner[idx])
        want[idx] = lo[c] - 2.0 <= tau[idx] <= hi[c] + 2.0
    np.testing.assert_array_equal(got, want)
    assert got.any() and not got.all()
    # a winner that only broadcasts against the coordinate (one class per trace) still works
    per_trace = winner[..., :1]
    np.testing.assert_array_equal(within_envelope(per_trace, tau, lo, hi, 2.0),
                                  within_envelope(np.broadcast_to(per_trace, tau.shape), tau, lo, hi, 2.0))  # fmt: skip


@pytest.mark.parametrize("step", ["layered", "doubt"])
def test_amplitudes_read_lazily_in_slabs_give_what_the_normalised_copy_gives(monkeypatch, step):
    """The in-memory backend reads its amplitudes normalised on demand (``lazy.Amplitudes``)
    instead of holding a normalised copy; the layering must see the same numbers."""
    tau, x, seeds, live, _, _ = _volume()
    raw = x * np.float32(37.0)  # the caller's amplitudes, before the clipping scale
    normalised, scale = normalise(raw, 99.0)
    assert normalised.max() == 1.0  # some samples are clipped: the lazy read must clip them too
    lazy = Amplitudes(raw, scale)
    run = {
        "layered": lambda a: units.layered_labels(tau, a, seeds, [1, 2, 3, 4], live),
        "doubt": lambda a: units.unit_doubt(tau, a, seeds, [1, 2, 3, 4], live),
    }[step]
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 2 * 9 * 40 + 1)
    got = _parts(run(lazy))
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 10**9)
    want = _parts(run(normalised))
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.any(got[0])


def test_counts_in_slabs_are_bincounts_of_the_whole(monkeypatch):
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 5, (7, 9, 40)).astype(np.uint8)
    labels[6, 8, 39] = 255  # a value past the minimum length, in the last slab only
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 2 * 9 * 40 + 1)
    got = slabs.value_counts(labels, 6)
    np.testing.assert_array_equal(got, np.bincount(labels.ravel(), minlength=6))
    np.testing.assert_array_equal(slabs.value_counts(labels[:, :, :0], 3), [0, 0, 0])
