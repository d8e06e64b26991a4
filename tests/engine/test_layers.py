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
