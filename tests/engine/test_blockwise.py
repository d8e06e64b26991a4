"""Blockwise (dask) inference and growth equal the in-memory engine, on local threads and a cluster."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pytest
import torch

from napari_seisgrow.engine import blockwise as bw
from napari_seisgrow.engine import blockwise_grow as bg
from napari_seisgrow.engine import blockwise_predict as bp
from napari_seisgrow.engine.config import GrowConfig
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.grow import grow_connected
from napari_seisgrow.engine.predict import predict_volume
from napari_seisgrow.engine.unet import UNet
from napari_seisgrow.io.errors import SeisgrowError
from napari_seisgrow.synthetic import make_synthetic, seed_scribbles


def _nets(k: int, depth: int, sample: np.ndarray) -> list[UNet]:
    nets = []
    for s in (1, 2):
        torch.manual_seed(s)
        net = UNet(k, depth=depth, width=4)
        with torch.no_grad():
            net(torch.from_numpy(sample[:4, None]))  # batch-norm running statistics that are not the defaults
        nets.append(net.eval())
    return nets


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_halo_covers_the_receptive_field(depth):
    """The gradient of one output pixel reaches no input farther than the computed radius."""
    torch.manual_seed(0)
    net = UNet(2, depth=depth, width=4).eval()
    n = 2 * bw.receptive_radius(depth) + 2**depth * 4
    x = torch.randn(1, 1, n, n, requires_grad=True)
    c = n // 2
    net(x)[0, 0, c, c].backward()
    rows, cols = np.nonzero(x.grad[0, 0].abs().numpy() > 0)
    reach = max(np.abs(rows - c).max(), np.abs(cols - c).max())
    assert 0 < reach <= bw.receptive_radius(depth) <= bw.halo_for(depth)
    assert bw.halo_for(depth) % 2 ** (depth - 1) == 0


def test_chunks_are_on_the_pooling_grid_and_never_shorter_than_the_halo():
    chunks = bw.block_chunks((300, 130, 70), depth=3, block=(64, 64, 64))
    halo = bw.halo_for(3)
    for sizes, n in zip(chunks, (300, 130, 70), strict=True):
        assert sum(sizes) == n
        assert all(s % 4 == 0 for s in sizes[:-1]) and all(s >= halo for s in sizes)


@pytest.fixture(scope="module")
def case():
    synth = make_synthetic((28, 44, 52), seed=3)
    x, _ = normalise(synth.volume.data)
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=3)
    k = int(synth.truth.max())
    nets = _nets(k, 2, x)
    cfg = GrowConfig(depth=2, width=4, inference_batch=3)
    ors = ["inline", "crossline", "time"]
    winner, conf = predict_volume(nets, x, k, ors, torch.device("cpu"), batch=3, amp=cfg.amp)  # bf16 where native
    return {"x": x, "seeds": seeds, "truth": synth.truth, "k": k, "nets": nets, "cfg": cfg, "ors": ors,
            "winner": winner, "conf": conf}  # fmt: skip


def test_blockwise_prediction_equals_the_whole_volume_bit_for_bit(case, tmp_path):
    import zarr

    predictor = bp.Predictor.from_nets(case["nets"], case["k"], case["cfg"], case["ors"])
    block = (12, 16, 16)
    chunks = bw.block_chunks(case["x"].shape, 2, block)
    assert min(len(c) for c in chunks) >= 2  # several blocks on every axis, halos included
    with bw.scheduler(None, 2):
        bp.predict_to_zarr(case["x"], predictor, tmp_path / "p.zarr", block)
    got = zarr.open_group(str(tmp_path / "p.zarr"), mode="r")
    np.testing.assert_array_equal(got["winner"][...], case["winner"])
    np.testing.assert_array_equal(got["confidence"][...].view(np.uint16), case["conf"].view(np.uint16))


def _noisy_prediction(truth: np.ndarray, seed: int = 0):
    rng = np.random.default_rng(seed)
    winner = truth.astype(np.uint8).copy()
    flip = rng.random(truth.shape) < 0.05
    winner[flip] = rng.integers(1, int(truth.max()) + 1, int(flip.sum()))
    return winner, rng.uniform(0.3, 1.0, truth.shape).astype(np.float16)


@pytest.mark.parametrize("reach", [1024, 4])
def test_blockwise_growth_equals_one_pass_growth(case, reach):
    winner, conf = _noisy_prediction(case["truth"])
    want = grow_connected(case["seeds"], winner, conf, [0.5, 0.6], max_reach=reach)
    with bw.scheduler(None, 2):
        got = bg.grow_lazy(case["seeds"], da.from_array(winner, chunks=(7, 11, 13)), conf, [0.5, 0.6],
                           max_reach=reach).compute()  # fmt: skip
    assert (want > 0).mean() > 0.1  # growth crossed many block boundaries
    np.testing.assert_array_equal(got, want)


def test_blockwise_growth_continues_from_previous_labels(case):
    winner, conf = _noisy_prediction(case["truth"], seed=1)
    previous = grow_connected(case["seeds"], winner, conf, [0.9])
    want = grow_connected(case["seeds"], winner, conf, [0.7], previous=previous)
    with bw.scheduler(None, 1):
        got = bg.grow_lazy(case["seeds"], da.from_array(winner, chunks=(9, 9, 9)), conf, [0.7],
                           previous=previous).compute()  # fmt: skip
    np.testing.assert_array_equal(got, want)


def test_a_dask_cluster_of_two_workers_gives_the_in_memory_labels(case, tmp_path):
    """Predict and grow on a LocalCluster (two worker processes), stored to Zarr: the local answer.

    The workers run torch on one thread and this process on two; with these small networks the
    sums come out the same (docs/benchmarks.md has the default networks' agreement)."""
    distributed = pytest.importorskip("distributed")
    import zarr

    want = grow_connected(case["seeds"], case["winner"], case["conf"], [0.0])
    predictor = bp.Predictor.from_nets(case["nets"], case["k"], case["cfg"], case["ors"])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:  # fmt: skip
        with bw.scheduler(cluster.scheduler_address) as where:
            assert "2 workers" in where
            bp.predict_to_zarr(case["x"], predictor, tmp_path / "pred.zarr", (12, 16, 16))
            pred = zarr.open_group(str(tmp_path / "pred.zarr"), mode="r")
            grown = bg.grow_lazy(case["seeds"], da.from_zarr(pred["winner"]), da.from_zarr(pred["confidence"]), [0.0])
            bw.store_zarr(tmp_path / "labels.zarr", {"labels": grown})
    np.testing.assert_array_equal(np.asarray(pred["winner"]), case["winner"])
    got = np.asarray(zarr.open_group(str(tmp_path / "labels.zarr"), mode="r")["labels"])
    assert (want > 0).mean() > 0.05, (want > 0).mean()
    np.testing.assert_array_equal(got, want)


def test_an_unreachable_scheduler_is_one_line():
    pytest.importorskip("distributed")
    with pytest.raises(SeisgrowError, match="could not reach the dask scheduler"):
        with bw.scheduler("tcp://127.0.0.1:9"):
            pass
