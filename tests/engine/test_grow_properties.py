"""Growth invariants on random arrays (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from napari_seisgrow.engine.grow import grow_numpy

shapes = st.tuples(st.integers(1, 6), st.integers(1, 7), st.integers(1, 8))


@st.composite
def growth_inputs(draw):
    shape = draw(shapes)
    k = draw(st.integers(1, 4))
    seeds = draw(arrays(np.uint8, shape, elements=st.integers(0, k)))
    winner = draw(arrays(np.uint8, shape, elements=st.integers(1, k)))
    conf = draw(arrays(np.float16, shape, elements=st.floats(0, 1, width=16)))
    thresholds = draw(st.lists(st.floats(0, 1), min_size=1, max_size=k))
    radius = draw(st.integers(1, 3))
    reach = draw(st.integers(1, 20))
    return seeds, winner, conf, thresholds, radius, reach, k


@settings(max_examples=60, deadline=None)
@given(growth_inputs())
def test_growth_invariants(inputs):
    seeds, winner, conf, thresholds, radius, reach, k = inputs
    before = seeds.copy()
    out = grow_numpy(seeds, winner, conf, thresholds, radius=radius, max_reach=reach)
    np.testing.assert_array_equal(seeds, before)  # input untouched
    m = seeds > 0
    np.testing.assert_array_equal(out[m], seeds[m])  # seeds preserved, grown is a superset
    assert out.max(initial=0) <= k  # labels in 0..K
    added = (out > 0) & ~m
    # every added voxel agrees with the argmax and passes its class threshold
    assert (out[added] == winner[added]).all()
    t = np.array([thresholds[min(c - 1, len(thresholds) - 1)] for c in range(1, k + 1)])
    assert (conf[added].astype(np.float32) >= t[out[added] - 1] - 1e-6).all()


@settings(max_examples=30, deadline=None)
@given(growth_inputs())
def test_growth_is_monotone_in_the_threshold(inputs):
    seeds, winner, conf, _, radius, reach, _ = inputs
    low = grow_numpy(seeds, winner, conf, [0.2], radius=radius, max_reach=reach)
    high = grow_numpy(seeds, winner, conf, [0.8], radius=radius, max_reach=reach)
    assert ((high > 0) <= (low > 0)).all()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_one_pass_growth_equals_stepwise_growth_at_radius_one(data):
    """The connected-components route (radius 1) must give exactly what stepwise growth gives."""
    import torch

    from napari_seisgrow.engine.grow import candidates_from_winner, grow, grow_connected

    shape = tuple(data.draw(st.integers(2, 9)) for _ in range(3))
    k = data.draw(st.integers(1, 4))
    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    winner = rng.integers(1, k + 1, shape).astype(np.uint8)
    conf = rng.random(shape).astype(np.float16)
    seeds = np.where(rng.random(shape) < 0.08, rng.integers(1, k + 1, shape), 0).astype(np.uint8)
    previous = None
    if data.draw(st.booleans()):
        previous = np.where(rng.random(shape) < 0.2, rng.integers(1, k + 1, shape), 0).astype(np.uint8)
        previous[seeds > 0] = seeds[seeds > 0]
    thr = [data.draw(st.floats(0.0, 1.0)) for _ in range(data.draw(st.integers(1, k)))]  # per-class thresholds
    fast = grow_connected(seeds, winner, conf, thr, previous=previous)
    cand = candidates_from_winner(torch.from_numpy(winner), torch.from_numpy(conf), thr, k)
    start = None if previous is None else torch.from_numpy(previous)
    slow, _ = grow(torch.from_numpy(seeds), cand, radius=1, start=start)
    np.testing.assert_array_equal(fast, slow.numpy())


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_slabbed_components_equal_whole_volume_components(data):
    """Components found slab by slab and merged across faces partition the volume like cc3d at once."""
    import cc3d

    from napari_seisgrow.engine.grow import components

    shape = tuple(data.draw(st.integers(2, 10)) for _ in range(3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    labels = (rng.integers(0, 3, shape) * (rng.random(shape) < 0.7)).astype(np.uint8)
    slab = data.draw(st.integers(1, shape[0]))
    raw, lut = components(labels, slab=slab)
    ours = lut[raw]
    whole = cc3d.connected_components(labels, connectivity=26, out_dtype=np.uint32)
    assert ((ours == 0) == (whole == 0)).all()
    pairs = set(zip(ours[whole > 0].tolist(), whole[whole > 0].tolist(), strict=True))
    assert len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs})  # one-to-one


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_held_components_in_slabs_keep_exactly_the_components_that_hold_a_held_voxel(data):
    """Growth labels its components twice, slab by slab, instead of keeping a uint32 volume of
    them; checked against scipy's labelling of each class over the whole volume."""
    from scipy import ndimage

    from napari_seisgrow.engine.grow import held_components

    shape = tuple(data.draw(st.integers(2, 10)) for _ in range(3))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    labels = (rng.integers(0, 4, shape) * (rng.random(shape) < 0.7)).astype(np.uint8)
    held = (rng.random(shape) < 0.05) & (labels > 0)
    slab = data.draw(st.one_of(st.none(), st.integers(1, shape[0])))
    want = np.zeros(shape, np.uint8)
    for c in range(1, 4):
        parts, _ = ndimage.label(labels == c, structure=np.ones((3, 3, 3), bool))
        kept = np.unique(parts[held & (labels == c)])
        want[np.isin(parts, kept[kept > 0])] = c
    np.testing.assert_array_equal(held_components(labels, held, slab=slab), want)
