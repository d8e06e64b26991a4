from __future__ import annotations

import numpy as np
import pytest
import torch

from napari_seisgrow.engine.device import bf16_inference
from napari_seisgrow.engine.predict import predict_volume
from napari_seisgrow.engine.unet import UNet


def _sharp(seed: int) -> list[UNet]:
    """Two untrained networks whose logits are scaled up, so that most argmaxes are clear (an
    untrained head gives nearly uniform probabilities, where every voxel is a near tie)."""
    torch.manual_seed(seed)
    nets = [UNet(3, depth=2, width=4).eval(), UNet(3, depth=2, width=4).eval()]
    with torch.no_grad():
        for net in nets:
            net.head.weight.mul_(30.0)
    return nets


def _reference(nets, volume, orientations):
    """Plain float64 average of both networks' softmax over every orientation's sections."""
    total = 0.0
    with torch.no_grad():
        for axis in orientations:
            moved = np.moveaxis(volume, axis, 0)
            x = torch.from_numpy(np.ascontiguousarray(moved[:, None]))
            p = sum(torch.softmax(n(x), 1).double().numpy() for n in nets) / len(nets)  # (n, K, A, B)
            total = total + np.moveaxis(p, 0, axis + 1)
    return total / len(orientations)


def test_prediction_matches_a_float64_reference():
    torch.manual_seed(0)
    nets = [UNet(3, depth=2, width=4).eval(), UNet(3, depth=2, width=4).eval()]
    vol = np.random.default_rng(0).normal(size=(5, 7, 12)).astype(np.float32)
    winner, conf = predict_volume(nets, vol, 3, ["inline", "crossline", "time"], torch.device("cpu"), batch=3)
    ref = _reference(nets, vol, [0, 1, 2])
    assert winner.dtype == np.uint8 and conf.dtype == np.float16
    assert (winner == ref.argmax(axis=0) + 1).mean() > 0.99
    np.testing.assert_allclose(conf.astype(np.float64), ref.max(axis=0), atol=2e-3)


@pytest.mark.skipif(not bf16_inference(torch.device("cpu"), True), reason="this CPU has no native bfloat16")
def test_bfloat16_inference_on_the_cpu_stays_close_to_the_float32_reference():
    torch.manual_seed(0)
    nets = [UNet(3, depth=2, width=4).eval(), UNet(3, depth=2, width=4).eval()]
    vol = np.random.default_rng(0).normal(size=(5, 7, 12)).astype(np.float32)
    ors = ["inline", "crossline"]
    fast = predict_volume(nets, vol, 3, ors, torch.device("cpu"), batch=3, amp=True)
    exact = predict_volume(nets, vol, 3, ors, torch.device("cpu"), batch=3, amp=False)
    assert fast is not None and exact is not None
    assert not np.array_equal(fast[1], exact[1])  # bfloat16 did run
    ref = _reference(nets, vol, [0, 1])
    assert (fast[0] == ref.argmax(axis=0) + 1).mean() > 0.97
    np.testing.assert_allclose(fast[1].astype(np.float64), ref.max(axis=0), atol=2e-2)


def test_bfloat16_is_used_only_with_amp_and_where_it_is_native():
    assert not bf16_inference(torch.device("cpu"), False)
    assert bf16_inference(torch.device("cuda"), True)  # GPUs: autocast as in training
    assert not bf16_inference(torch.device("meta"), True)


def test_prediction_stops_when_asked():
    nets = [UNet(2, depth=2, width=4)]
    vol = np.zeros((4, 4, 8), np.float32)
    assert predict_volume(nets, vol, 2, ["inline"], torch.device("cpu"), should_stop=lambda: True) is None


def test_device_resident_path_matches_the_reference():
    """The path a GPU takes when the volume fits in its memory, run here on the CPU."""
    from napari_seisgrow.engine.predict import _predict_resident, fits_on_device

    torch.manual_seed(0)
    nets = [UNet(3, depth=2, width=4).eval(), UNet(3, depth=2, width=4).eval()]
    vol = np.random.default_rng(0).normal(size=(5, 7, 12)).astype(np.float32)
    assert not fits_on_device(torch.device("cpu"), 3, vol.shape)  # the CPU keeps the host path
    with torch.no_grad():
        winner, conf = _predict_resident(
            nets, vol, 3, ["inline", "crossline", "time"], torch.device("cpu"), 2, False, None
        )
    ref = _reference(nets, vol, [0, 1, 2])
    assert winner.dtype == np.uint8 and conf.dtype == np.float16 and winner.shape == vol.shape
    assert (winner == ref.argmax(axis=0) + 1).mean() > 0.99
    np.testing.assert_allclose(conf.astype(np.float64), ref.max(axis=0), atol=2e-3)


def test_turns_give_every_network_every_orientation_once_per_cycle():
    from napari_seisgrow.engine.predict import turn

    cycle = [turn(2, ["inline", "crossline"], e) for e in range(4)]
    assert cycle == [(0, "inline"), (1, "inline"), (0, "crossline"), (1, "crossline")]
    assert [turn(2, ["inline", "crossline"], e) for e in range(4, 8)] == cycle
    assert [turn(2, ["inline"], e) for e in range(3)] == [(0, "inline"), (1, "inline"), (0, "inline")]


@pytest.mark.parametrize("ors", [["inline", "crossline"], ["inline", "crossline", "time"]])
def test_one_sweep_gives_each_networks_own_winner(ors):
    """The last epoch's sweep keeps each network's sums apart, so the completion needs no pass of
    each network alone: its own winners must be that network's alone, wherever they are not ties."""
    from napari_seisgrow.engine.predict import predict_with_own

    nets = _sharp(1)
    vol = np.random.default_rng(1).normal(size=(6, 7, 12)).astype(np.float32)
    axes = [["inline", "crossline", "time"].index(o) for o in ors]
    winner, conf, own = predict_with_own(nets, vol, 3, ors, torch.device("cpu"), batch=2)
    assert len(own) == 2 and all(w.dtype == np.uint8 and w.shape == vol.shape for w in own)
    for net, mine in zip(nets, own, strict=True):
        alone = predict_with_own([net], vol, 3, ors, torch.device("cpu"), batch=2)
        np.testing.assert_array_equal(mine, alone[2][0])  # nothing of the other network leaks in
        np.testing.assert_array_equal(mine, alone[0])
        ref = _reference([net], vol, axes)
        top2 = np.sort(ref, axis=0)[-2:]
        clear = top2[1] - top2[0] > 0.01  # wider than the 8-bit rounding of the earlier orientations
        assert clear.mean() > 0.5
        np.testing.assert_array_equal(mine[clear], ref.argmax(axis=0)[clear] + 1)
        plain = predict_volume([net], vol, 3, ors, torch.device("cpu"), batch=2)  # float16 sums
        np.testing.assert_array_equal(mine[clear], plain[0][clear])
    assert not np.array_equal(own[0], own[1])  # two different networks: the test can tell them apart
    ref = _reference(nets, vol, axes)
    top2 = np.sort(ref, axis=0)[-2:]
    clear = top2[1] - top2[0] > 0.01
    assert clear.mean() > 0.5
    np.testing.assert_array_equal(winner[clear], ref.argmax(axis=0)[clear] + 1)
    np.testing.assert_allclose(conf.astype(np.float64), ref.max(axis=0), atol=3e-3)


def test_each_networks_earlier_orientations_are_summed_in_eight_bits_when_one_comes_before_the_last():
    from napari_seisgrow.engine.predict import partial_sums

    assert partial_sums(2) == (np.uint8, 255)
    assert partial_sums(3) == (np.uint16, 32767)  # two sums of at most 1 each must fit
    assert partial_sums(1)[0] == np.uint8


def test_compact_sums_grow_the_same_labels_as_float64_probabilities():
    """Where no confidence lies within the rounding of a threshold and no argmax is a near tie,
    growth from the 8-bit sums of the last epoch's sweep equals growth from exact probabilities."""
    from napari_seisgrow.engine.grow import grow_numpy
    from napari_seisgrow.engine.predict import predict_with_own

    nets = _sharp(2)
    vol = np.random.default_rng(2).normal(size=(6, 9, 16)).astype(np.float32)
    ors = ["inline", "crossline"]
    winner, conf, _ = predict_with_own(nets, vol, 3, ors, torch.device("cpu"), batch=4)
    ref = _reference(nets, vol, [0, 1])
    ref_win, ref_conf = (ref.argmax(axis=0) + 1).astype(np.uint8), ref.max(axis=0)
    top2 = np.sort(ref, axis=0)[-2:]
    threshold = float(np.median(ref_conf))
    near = (np.abs(ref_conf - threshold) < 0.005) | (top2[1] - top2[0] < 0.005)
    seeds = np.zeros(vol.shape, np.uint8)
    seeds[3, 4, ::5] = ref_win[3, 4, ::5]
    ok = ~near
    # the near voxels take no part: give both the same (never grown) values there
    win_c, conf_c = np.where(ok, winner, ref_win), np.where(ok, conf.astype(np.float32), 0.0)
    conf_r = np.where(ok, ref_conf, 0.0).astype(np.float32)
    assert ok.mean() > 0.6
    grown = grow_numpy(seeds, win_c, conf_c, [threshold] * 3)
    exact = grow_numpy(seeds, ref_win, conf_r, [threshold] * 3)
    assert (exact > 0).sum() > (seeds > 0).sum()  # growth did reach past the seeds
    np.testing.assert_array_equal(grown, exact)


def test_device_resident_path_gives_each_networks_own_winner():
    """The GPU path of the last epoch's sweep, run here on the CPU: float16 sums per network."""
    from napari_seisgrow.engine.predict import _predict_resident

    nets = _sharp(3)
    vol = np.random.default_rng(3).normal(size=(5, 7, 12)).astype(np.float32)
    with torch.no_grad():
        winner, conf, own = _predict_resident(nets, vol, 3, ["inline", "crossline"], torch.device("cpu"), 2, False,
                                              None, own=True)  # fmt: skip
    for net, mine in zip(nets, own, strict=True):
        ref = _reference([net], vol, [0, 1])
        top2 = np.sort(ref, axis=0)[-2:]
        clear = top2[1] - top2[0] > 0.01
        assert clear.mean() > 0.5
        np.testing.assert_array_equal(mine[clear], ref.argmax(axis=0)[clear] + 1)
    assert not np.array_equal(own[0], own[1])
    ref = _reference(nets, vol, [0, 1])
    np.testing.assert_allclose(conf.astype(np.float64), ref.max(axis=0), atol=3e-3)
    assert (winner == ref.argmax(axis=0) + 1).mean() > 0.99


@pytest.mark.parametrize("n", [1, 5, 16, 37, 951])
def test_coarse_first_visits_every_section_once_spread_out_first(n):
    from napari_seisgrow.engine.predict import coarse_first

    order = coarse_first(n, first=n // 3)
    assert sorted(order) == list(range(n)) and order[0] == n // 3
    head = order[1 : 1 + min(n - 1, 8)]
    assert n < 16 or (min(head) < n // 8 and max(head) > n // 2)  # the first sections span the volume
    assert coarse_first(n, first=n + 5)[:1] == [0]  # an index outside is no section on screen


def test_the_pass_gives_the_same_labels_one_section_at_a_time_as_in_batches():
    from napari_seisgrow.engine.predict import predict_with_own

    torch.manual_seed(3)
    nets = [UNet(4, depth=2, width=8).eval() for _ in range(2)]
    vol = np.random.default_rng(3).standard_normal((9, 12, 32)).astype(np.float32)
    ors = ["inline", "crossline"]
    one = predict_with_own(nets, vol, 4, ors, torch.device("cpu"), batch=0)  # auto: one section on a CPU
    five = predict_with_own(nets, vol, 4, ors, torch.device("cpu"), batch=5)
    assert one is not None and five is not None
    # bit for bit on the development CPU; another CPU's kernels may round a batch differently
    np.testing.assert_allclose(one[1].astype(np.float32), five[1].astype(np.float32), atol=1e-3)
    for a, b in zip([one[0], *one[2]], [five[0], *five[2]], strict=True):
        assert (a == b).mean() > 0.999
