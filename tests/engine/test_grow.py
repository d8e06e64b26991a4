from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage

from napari_seisgrow.engine.grow import (
    _dilate,
    candidates_from_probabilities,
    grow,
    grow_numpy,
)


def _line(n=20):
    """A 1-voxel-thick corridor along the last axis: growth distance is easy to reason about."""
    seeds = np.zeros((1, 1, n), np.uint8)
    return seeds


def test_dilation_matches_scipy():
    rng = np.random.default_rng(0)
    m = rng.random((9, 11, 13)) > 0.97
    for r in (1, 2, 3, 7):
        ref = ndimage.binary_dilation(m, np.ones((2 * r + 1,) * 3, bool))
        np.testing.assert_array_equal(_dilate(torch.from_numpy(m), r).numpy(), ref)


def test_grows_until_the_threshold_stops_it():
    seeds = _line()
    seeds[0, 0, 0] = 1
    winner = np.ones_like(seeds)
    conf = np.full(seeds.shape, 0.9, np.float16)
    conf[0, 0, 12] = 0.5  # a gap wider than the radius stops growth
    conf[0, 0, 13] = 0.5
    out = grow_numpy(seeds, winner, conf, [0.6], radius=1)
    assert out[0, 0, :12].tolist() == [1] * 12
    assert not out[0, 0, 12:].any()
    # a radius of 2 still cannot jump a gap of two; a radius of 3 can
    assert not grow_numpy(seeds, winner, conf, [0.6], radius=2)[0, 0, 14:].any()
    assert grow_numpy(seeds, winner, conf, [0.6], radius=3)[0, 0, 14:].all()


def test_argmax_must_agree_and_per_class_thresholds():
    seeds = _line(10)
    seeds[0, 0, 0] = 1
    seeds[0, 0, 9] = 2
    winner = np.array([[[1, 1, 1, 1, 1, 2, 2, 2, 2, 2]]], np.uint8)
    conf = np.full(seeds.shape, 0.7, np.float16)
    out = grow_numpy(seeds, winner, conf, [0.6, 0.8], radius=1)
    assert out[0, 0].tolist() == [1, 1, 1, 1, 1, 0, 0, 0, 0, 2]


def test_seeds_are_never_overwritten_and_input_untouched():
    seeds = np.zeros((3, 3, 3), np.uint8)
    seeds[1, 1, 1] = 2
    seeds[0, 0, 0] = 1
    before = seeds.copy()
    winner = np.ones_like(seeds)  # everything says class 1, the class-2 seed included
    conf = np.ones(seeds.shape, np.float16)
    out = grow_numpy(seeds, winner, conf, [0.5], radius=1)
    assert out[1, 1, 1] == 2 and out[0, 0, 0] == 1
    assert (out > 0).all()
    np.testing.assert_array_equal(seeds, before)


def test_reach_bound():
    seeds = _line(30)
    seeds[0, 0, 0] = 1
    out = grow_numpy(seeds, np.ones_like(seeds), np.ones(seeds.shape, np.float16), [0.5], radius=2, max_reach=10)
    assert out[0, 0, :11].all() and not out[0, 0, 11:].any()


def test_tie_stays_unassigned():
    seeds = torch.zeros((1, 1, 5), dtype=torch.uint8)
    seeds[0, 0, 0] = 1
    seeds[0, 0, 4] = 2
    probs = torch.full((2, 1, 1, 5), 0.5)  # both classes equally likely everywhere
    cand = candidates_from_probabilities(probs, [0.5])
    out, steps = grow(seeds, cand, radius=2)
    # voxel 2 is reached by both classes in the same step: it stays 0
    assert out[0, 0].tolist() == [1, 1, 0, 2, 2]
    assert steps >= 1


def test_terminates_and_accumulate_keeps_earlier_growth():
    rng = np.random.default_rng(1)
    seeds = np.zeros((12, 12, 12), np.uint8)
    seeds[0, 0, 0], seeds[11, 11, 11] = 1, 2
    winner = rng.integers(1, 3, seeds.shape).astype(np.uint8)
    conf = rng.random(seeds.shape).astype(np.float16)
    out = grow_numpy(seeds, winner, conf, [0.3], radius=1)
    assert set(np.unique(out)) <= {0, 1, 2}
    m = out > 0
    assert (winner[m & (seeds == 0)] == out[m & (seeds == 0)]).all()
    previous = np.zeros_like(seeds)
    previous[5, 5, 5] = 1
    previous[seeds > 0] = seeds[seeds > 0]
    acc = grow_numpy(seeds, winner, np.zeros_like(conf), [0.3], radius=1, previous=previous)
    assert acc[5, 5, 5] == 1  # nothing passes the threshold, earlier labels remain
    fresh = grow_numpy(seeds, winner, np.zeros_like(conf), [0.3], radius=1)
    np.testing.assert_array_equal(fresh, seeds)


def test_one_pass_growth_keeps_the_reach_bound():
    from napari_seisgrow.engine.grow import grow_connected

    seeds = np.zeros((1, 3, 40), np.uint8)
    seeds[0, 1, 0] = 1
    seeds[0, 1, 39] = 2
    winner = np.ones_like(seeds)
    winner[..., 30:] = 2
    conf = np.ones(seeds.shape, np.float16)
    out = grow_connected(seeds, winner, conf, [0.5], max_reach=5)
    assert (out[0, :, :6] == 1).all() and (out[0, :, 6:30] == 0).all()  # class 1 stops 5 voxels out
    assert (out[0, :, 34:] == 2).all() and (out[0, :, 30:34] == 0).all()
    free = grow_connected(seeds, winner, conf, [0.5])  # the default reach spans the volume
    assert (free[0, :, :30] == 1).all() and (free[0, :, 30:] == 2).all()
