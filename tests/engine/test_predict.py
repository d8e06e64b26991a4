from __future__ import annotations

import numpy as np
import pytest
import torch

from napari_seisgrow.engine.device import bf16_inference
from napari_seisgrow.engine.predict import predict_volume
from napari_seisgrow.engine.unet import UNet


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
