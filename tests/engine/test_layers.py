"""Completion along the layering: every voxel gets a class, by its layer rather than its depth."""

from __future__ import annotations

import numpy as np

from napari_seisgrow.engine.layers import fill_along_layers


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


def _flat_section(nx: int = 60, nt: int = 80, reflector: int = 33) -> tuple[np.ndarray, np.ndarray]:
    """Flat layering (tau = sample), weak beds everywhere and one strong reflector at ``reflector``."""
    rng = np.random.default_rng(1)
    amp = np.broadcast_to(0.2 * rng.standard_normal(nt).astype(np.float32), (1, nx, nt)).copy()
    amp[..., reflector] = 3.0
    tau = np.broadcast_to(np.arange(nt, dtype=np.float32), (1, nx, nt)).copy()
    return amp, tau


def test_stacked_strokes_make_one_layer_per_class_in_order_and_overlapping_ones_merge():
    from napari_seisgrow.engine.layers import stroke_layers

    _, tau = _flat_section()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 5:15, 60] = 1  # the deepest unit
    seeds[0, 5:15, 10] = 3
    seeds[0, 40:50, 40] = 2
    assert [layer.classes for layer in stroke_layers(seeds, tau)] == [(3,), (2,), (1,)]
    seeds[0, 20:25, 38:43] = 4  # a body painted inside unit 2's interval
    layers = stroke_layers(seeds, tau)
    assert [layer.classes for layer in layers] == [(3,), (2, 4), (1,)]
    assert [layer.single for layer in layers] == [3, 0, 1]


def test_the_boundary_between_two_units_lies_on_the_strongest_reflector_between_their_strokes():
    from napari_seisgrow.engine.layers import layer_cake

    amp, tau = _flat_section(reflector=33)
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 10:20, 10] = 1
    seeds[0, 40:50, 60] = 2  # halfway would be sample 35; the reflector is at 33
    where, layers = layer_cake(seeds, tau, amp, np.ones(tau.shape, bool))
    unit = np.array([layer.single for layer in layers])[where]
    assert (unit[0, :, :34] == 1).all() and (unit[0, :, 34:] == 2).all()
    amp2, _ = _flat_section(reflector=52)  # move the reflector: the boundary follows it
    where2, _ = layer_cake(seeds, tau, amp2, np.ones(tau.shape, bool))
    assert (where2[0, :, :53] == 0).all() and (where2[0, :, 53:] == 1).all()
