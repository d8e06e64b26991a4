"""Network inputs read on demand: the coordinate on a decimated grid, the sample position, stacking."""

from __future__ import annotations

import numpy as np

from napari_seisgrow.engine.channels import (
    Channels,
    DepthChannel,
    StratChannel,
    StratGrid,
    build_channels,
    compute_strat,
    decimation,
)


def test_a_decimated_grid_interpolates_linear_fields_exactly():
    shape = (9, 7, 5)
    i = np.arange(shape[0], dtype=np.float32)[:, None, None]
    j = np.arange(shape[1], dtype=np.float32)[None, :, None]
    t = np.arange(shape[2], dtype=np.float32)[None, None, :]
    full = (2 * i - 3 * j + t).astype(np.float32)
    grid = StratGrid(tau=np.ascontiguousarray(full[::2, ::3]), shape=shape, step=(2, 3))
    # inside the decimated grid's span (the last traces beyond it repeat the last decimated one)
    np.testing.assert_allclose(grid.values()[:9, :7], np.broadcast_to(full, shape)[:9, :7], atol=1e-4)
    np.testing.assert_allclose(grid.values((4, slice(0, 6), 2)), full[4, :6, 2], atol=1e-4)
    assert grid.values((4, 3)).shape == (5,)


def test_any_section_or_patch_of_a_decimated_grid_is_the_whole_grids_bit_for_bit():
    """Reads gather only the decimated traces they need; what they give must not depend on it."""
    rng = np.random.default_rng(3)
    shape, step = (23, 31, 9), (4, 3)
    grid = StratGrid(tau=(rng.normal(size=(6, 11, 9)) * 40).astype(np.float32), shape=shape, step=step)
    whole = grid.values()
    assert whole.shape == shape
    for index in [
        (5,),
        (-1,),
        (slice(None), 17),
        (slice(None), -1, slice(2, 6)),
        (slice(3, 20, 2), slice(7, 30), 4),
        (22, 30, 8),
        (np.array([0, 9, 22]), slice(None)),
        (Ellipsis, 3),
        (slice(None), 4, np.array([1, 5])),
    ]:
        np.testing.assert_array_equal(grid.values(index), whole[index])


def test_the_whole_coordinate_made_in_slabs_is_the_one_pass_interpolation(monkeypatch):
    from napari_seisgrow.engine import slabs

    rng = np.random.default_rng(5)
    grid = StratGrid(tau=(rng.normal(size=(6, 11, 9)) * 40).astype(np.float32), shape=(23, 31, 9), step=(4, 3))
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 5 * 31 * 9 + 1)  # slabs of 5 inlines, which do not divide 23
    whole = grid.full()
    assert whole.dtype == np.float32 and whole.shape == (23, 31, 9)
    np.testing.assert_array_equal(whole, grid.values())


def test_the_strat_channel_is_scaled_to_about_plus_minus_one_and_depth_runs_down():
    tau = np.broadcast_to(np.arange(40, dtype=np.float32) * 2 + 10, (3, 4, 40)).copy()
    channel = StratChannel(StratGrid(tau=tau, shape=(3, 4, 40), step=(1, 1)))
    v = channel[()]
    assert np.isclose(v.min(), -1) and np.isclose(v.max(), 1)
    d = DepthChannel((3, 4, 40))[1, :, :]
    assert d.shape == (4, 40) and d[0, 0] == -1 and d[0, -1] == 1


def test_channels_stack_first_and_follow_any_index():
    x = np.random.default_rng(0).normal(size=(3, 4, 16)).astype(np.float32)
    tau = np.broadcast_to(np.arange(16, dtype=np.float32), x.shape).copy()
    grid = StratGrid(tau=tau, shape=x.shape, step=(1, 1))
    ch = build_channels(["amplitude", "strat", "depth"], x, grid)
    assert isinstance(ch, Channels) and ch.n == 3 and ch.shape == x.shape
    got = ch[(slice(None), 2, slice(None))]
    assert got.shape == (3, 3, 16)
    np.testing.assert_array_equal(got[0], x[:, 2])


def test_large_volumes_are_solved_decimated_and_read_one_inline_at_a_time():
    assert decimation((10, 10, 100), max_voxels=10_000) == (1, 1)
    s0, s1 = decimation((400, 300, 500), max_voxels=6_000_000)
    assert s0 == s1 > 1 and ((400 + s0 - 1) // s0) * ((300 + s1 - 1) // s1) * 500 <= 6_000_000

    class Lazy:
        """Records every read, like a SEG-Y on disk."""

        def __init__(self, a):
            self.a, self.shape, self.reads = a, a.shape, []

        def __getitem__(self, index):
            out = self.a[index]
            self.reads.append(out.size)
            return out

    x = np.random.default_rng(1).normal(size=(12, 10, 40)).astype(np.float32)
    lazy = Lazy(x)
    grid = compute_strat(lazy, max_voxels=2_000)
    assert grid.step[0] > 1 and grid.tau.shape[0] == -(-12 // grid.step[0])
    assert max(lazy.reads) <= 10 * 40  # never more than one inline at a time
