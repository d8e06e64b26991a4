"""Completion along the layering: every voxel gets a class, by its layer rather than its depth."""

from __future__ import annotations

import numpy as np

from napari_seisgrow.engine import slabs
from napari_seisgrow.engine.channels import StratGrid, StratValues
from napari_seisgrow.engine.layers import _row_span, fill_along_layers, flat_positions, smooth_along_layers


def test_every_voxel_gets_a_class_and_labelled_voxels_keep_theirs():
    rng = np.random.default_rng(0)
    labels = np.where(rng.random((4, 5, 30)) < 0.05, rng.integers(1, 4, (4, 5, 30)), 0).astype(np.uint8)
    labels[0, 0, 0] = 1
    tau = np.broadcast_to(np.arange(30, dtype=np.float32), labels.shape).copy()
    out = fill_along_layers(labels, tau, reach=5)
    assert (out > 0).all()
    np.testing.assert_array_equal(out[labels > 0], labels[labels > 0])


def test_a_dipping_layer_is_followed_not_the_nearest_depth():
    """Class 2 is a stroke on a layer that dips a sample per trace; at the far end that layer is
    20 samples deeper, right where class 1's stroke sits in depth. Along the layering it is 2."""
    nx, nt = 40, 80
    t = np.arange(nt, dtype=np.float32)[None, None, :]
    x = np.arange(nx, dtype=np.float32)[None, :, None]
    tau = np.broadcast_to(t - 0.5 * x, (1, nx, nt)).copy()  # reflectors dip half a sample per trace
    labels = np.zeros((1, nx, nt), np.uint8)
    labels[0, :5, 30] = 2  # on the layer tau = 30 - 0.5 x ... near the left
    labels[0, 35:, 30] = 1  # at the same depth on the right, but 17 samples higher in the layering
    out = fill_along_layers(labels, tau, reach=10)
    assert out[0, 34, 47] == 2  # tau there is 30 (the stroke's layer), depth 47: class 2 along the layer
    assert (out > 0).all()


def test_the_fill_reading_the_coordinate_a_slab_at_a_time_gives_the_labels_of_the_whole_coordinate(monkeypatch):
    """The run hands the fill its coordinate as a decimated grid read a few inlines at a time, so
    that neither the whole coordinate nor every voxel's row is held beside the flattened volume.
    Slabs of two inlines (the volume has seven), a grid decimated along both lateral axes whose
    layers dip and thicken: the labels are those of the whole coordinate, voxel for voxel."""
    rng = np.random.default_rng(4)
    ni, nx, nt = 7, 9, 40
    i, j, t = np.meshgrid(np.arange(4), np.arange(5), np.arange(nt), indexing="ij")
    grid = StratGrid((t * (1.0 + 0.05 * i) + 1.7 * j - 3.2 + rng.normal(0, 0.3, t.shape)).astype(np.float32),
                     (ni, nx, nt), (2, 2))  # fmt: skip
    grid.tau = np.sort(grid.tau, axis=2)  # a coordinate increases down every trace
    labels = np.zeros((ni, nx, nt), np.uint8)
    few = rng.random(labels.shape) < 0.03
    labels[few] = rng.integers(1, 5, int(few.sum()))
    labels[0, 0, 5], labels[6, 8, 30], labels[3, 4, 20] = 1, 2, 3
    whole = fill_along_layers(labels, grid.full(), reach=5.0)
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 2 * nx * nt)
    _, n_rows, first = flat_positions(grid.full())  # the rows the fill made before it read in slabs, to the row
    assert _row_span(StratValues(grid)) == (first, n_rows) == _row_span(grid.full())
    lazily = fill_along_layers(labels, StratValues(grid), reach=5.0)
    np.testing.assert_array_equal(lazily, whole)
    assert (whole > 0).all() and len(np.unique(whole)) >= 3


def test_nothing_labelled_or_nothing_open_is_returned_as_is():
    tau = np.broadcast_to(np.arange(10, dtype=np.float32), (1, 3, 10)).copy()
    empty = np.zeros((1, 3, 10), np.uint8)
    np.testing.assert_array_equal(fill_along_layers(empty, tau), empty)
    full = np.ones((1, 3, 10), np.uint8)
    np.testing.assert_array_equal(fill_along_layers(full, tau), full)


def test_open_regions_where_the_two_networks_agree_are_kept_whole():
    from napari_seisgrow.engine.layers import agreeing_regions

    open_ = np.zeros((1, 10, 20), bool)
    open_[0, :, 2:6] = True  # region A
    open_[0, :, 12:18] = True  # region B
    agree = np.ones(open_.shape, bool)
    agree[0, :5, 12:18] = False  # the networks disagree on half of B
    keep = agreeing_regions(open_, agree, 0.9)
    assert keep[0, :, 2:6].all() and not keep[0, :, 12:18].any()  # whole regions, either way
    assert not keep[~open_].any()
    assert agreeing_regions(open_, agree, 0.5)[0, :, 12:18].all()
    assert not agreeing_regions(np.zeros_like(open_), agree, 0.5).any()


def _dipping_case(noise: float, seed: int = 0):
    """Two units split by a dipping reflector; the networks' winner is wrong on ``noise`` of the voxels."""
    j, t = np.meshgrid(np.arange(48), np.arange(40), indexing="ij")
    tau = (t + 0.4 * j).astype(np.float32)[None]
    truth = np.where(tau < 25, 1, 2).astype(np.uint8)
    rng = np.random.default_rng(seed)
    winner = np.where(rng.random(truth.shape) < noise, 3 - truth, truth).astype(np.uint8)
    conf = np.full(truth.shape, 0.8, np.float16)
    return tau, truth, winner, conf


def test_smoothing_along_layers_puts_the_boundary_on_the_reflector():
    tau, truth, winner, conf = _dipping_case(noise=0.15)
    live = np.ones(truth.shape, bool)
    w, c = smooth_along_layers(winner, conf, tau, 2, 2.0, live)
    assert w.dtype == np.uint8 and c.dtype == np.float16 and w.shape == truth.shape
    away = np.abs(tau - 25) >= 1  # flattened rows are whole samples: the reflector's own row mixes both units
    before, after = (winner != truth)[away].mean(), (w != truth)[away].mean()
    assert before > 0.12 and after < 0.25 * before  # stray votes are outvoted by their neighbours along the layer
    assert float(c.max()) <= 0.8 + 1e-3  # the new confidence is an average of the votes


def test_smoothing_along_layers_changes_nothing_where_the_layer_agrees_or_there_is_no_data():
    tau, truth, winner, conf = _dipping_case(noise=0.0)
    live = np.ones(truth.shape, bool)
    live[:, 5, :] = False  # a dead trace: no vote, no change
    winner[:, 5, :] = 0
    w, c = smooth_along_layers(winner, conf, tau, 2, 3.0, live)
    away = np.abs(tau - 25) >= 1
    np.testing.assert_array_equal(w[away], winner[away])
    np.testing.assert_allclose(c[live & away].astype(np.float32), 0.8, atol=1e-3)
    np.testing.assert_array_equal(c[~live], conf[~live])


def test_a_class_keeps_out_of_the_layers_another_class_painted_unless_it_painted_them_too():
    from napari_seisgrow.engine.layers import clear_of_other_strokes

    tau = np.broadcast_to(np.arange(20, dtype=np.float32), (3, 20))
    lo = np.array([np.inf, 0.0, 9.0, np.inf], np.float32)  # class 1 painted at 0-4, class 2 at 9-10, class 3 nowhere
    hi = np.array([-np.inf, 4.0, 10.0, -np.inf], np.float32)
    thick = np.full(tau.shape, 1, np.uint8)
    ok = clear_of_other_strokes(thick, tau, lo, hi, 1.0)
    assert not ok[:, 8:12].any()  # the thin unit's painted layer, widened by the margin, is not class 1's
    assert ok[:, :8].all() and ok[:, 12:].all()  # elsewhere nothing changes
    assert clear_of_other_strokes(np.full(tau.shape, 2, np.uint8), tau, lo, hi, 1.0)[:, 8:12].all()  # its own
    both = lo.copy(), hi.copy()
    both[0][1], both[1][1] = 0.0, 12.0  # class 1 painted across the thin unit's layer too: it may grow there
    assert clear_of_other_strokes(thick, tau, *both, 1.0).all()
    unpainted = np.full(tau.shape, 3, np.uint8)  # a class with no strokes yields to painted layers too
    assert not clear_of_other_strokes(unpainted, tau, lo, hi, 1.0)[:, :6].any()


def test_nearest_painted_interval_puts_the_boundary_no_further_than_halfway_between_the_strokes():
    from napari_seisgrow.engine.layers import nearest_painted_interval

    tau = np.broadcast_to(np.arange(20, dtype=np.float32), (2, 20))
    lo = np.array([np.inf, 0.0, 10.0], np.float32)  # class 1 painted at 0-2, class 2 at 10-12
    hi = np.array([-np.inf, 2.0, 12.0], np.float32)
    ok1 = nearest_painted_interval(np.full(tau.shape, 1, np.uint8), tau, lo, hi)
    assert ok1[:, :7].all() and not ok1[:, 7:].any()  # class 1 up to halfway (6), the tie included
    ok2 = nearest_painted_interval(np.full(tau.shape, 2, np.uint8), tau, lo, hi)
    assert ok2[:, 6:].all() and not ok2[:, :6].any()
    overlap = np.array([np.inf, 0.0, 0.0], np.float32), np.array([-np.inf, 19.0, 12.0], np.float32)
    assert nearest_painted_interval(np.full(tau.shape, 1, np.uint8), tau, *overlap).all()  # painted everywhere
