"""The blockwise session: trains on a volume that stays on disk and grows labels into Zarr stores."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from napari_seisgrow import load_volume
from napari_seisgrow.engine import Blockwise, GrowConfig, Session
from napari_seisgrow.engine.grow import grow_connected
from napari_seisgrow.engine.predict import predict_volume
from napari_seisgrow.io.errors import SeisgrowError
from napari_seisgrow.synthetic import make_synthetic, seed_scribbles
from tests.conftest import TINY

BLOCK = (12, 16, 16)  # several blocks on every axis of the test volume (depth 2: halo 12)


class CountingSource:
    """A memory-mapped .npy that records how much every read touches."""

    def __init__(self, path) -> None:
        self.array = np.load(path, mmap_mode="r")
        self.shape, self.dtype, self.ndim = self.array.shape, self.array.dtype, 3
        self.largest = 0
        self.lock = threading.Lock()

    def __getitem__(self, index):
        out = np.asarray(self.array[index])
        with self.lock:
            self.largest = max(self.largest, out.size)
        return out


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory):
    d = tmp_path_factory.mktemp("blockwise")
    synth = make_synthetic((28, 40, 48), seed=2)
    np.save(d / "vol.npy", synth.volume.data)
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=2)
    np.save(d / "seeds.npy", seeds)
    return d, synth, seeds


def _config(**extra) -> GrowConfig:
    return GrowConfig(**{**TINY, "fill_final": False, "orientations": ["inline", "crossline"], **extra})


def _engine_growth(session, seeds, winner, conf, envelope: bool = True) -> np.ndarray:
    """The in-memory engine's growth from the same prediction: within the growth envelope
    (``engine.layers``) of the coordinate the session solved, then connected growth."""
    from napari_seisgrow.engine.layers import class_ranges, within_envelope

    if envelope:
        tau = session.strat.full()
        lo, hi = class_ranges(seeds, tau, session.n_classes)
        inside = within_envelope(winner, tau, lo, hi, session.config.grow_envelope)
        conf = np.where(inside, conf, conf.dtype.type(0))
    return grow_connected(seeds, winner, conf, [session.config.threshold(c) for c in range(1, session.n_classes + 1)])


def test_trains_reading_only_patches_and_blocks_and_grows_like_the_engine(on_disk, tmp_path):
    d, synth, seeds = on_disk
    source = CountingSource(d / "vol.npy")
    seeds_map = np.load(d / "seeds.npy", mmap_mode="r")
    session = Session(source, seeds_map, _config(), blockwise=Blockwise(tmp_path / "work", block=BLOCK))
    reports = list(session.run())
    assert [r.epoch for r in reports] == [0, 1]
    from napari_seisgrow.engine import blockwise as bw
    from napari_seisgrow.engine.blockwise_predict import windows

    shape = synth.volume.data.shape
    blocks = windows(shape, bw.block_chunks(shape, 2, BLOCK), bw.halo_for(2))
    biggest = max(int(np.prod([s.stop - s.start for s in w])) for _, w in blocks)
    assert 0 < source.largest <= biggest < synth.volume.data.size  # a block and its halo at most, never all
    grown = np.asarray(session.grown)
    np.testing.assert_array_equal(np.load(d / "seeds.npy"), seeds)  # the user's seeds are untouched
    np.testing.assert_array_equal(grown[seeds > 0], seeds[seeds > 0])
    assert (tmp_path / "work" / "labels.zarr").is_dir() and (tmp_path / "work" / "prediction.zarr").is_dir()
    # the stored prediction is the in-memory engine's for the same networks, and so are the labels
    winner, conf = predict_volume(session.nets, session.inputs, session.n_classes, session.config.orientations,
                                  torch.device("cpu"), batch=session.config.inference_batch,
                                  amp=session.config.amp)  # fmt: skip
    np.testing.assert_array_equal(np.asarray(session.winner), winner)
    np.testing.assert_array_equal(np.asarray(session.confidence).view(np.uint16), conf.view(np.uint16))
    np.testing.assert_array_equal(grown, _engine_growth(session, seeds, winner, conf))
    r = reports[-1]
    assert r.labelled_fraction == pytest.approx((grown > 0).mean())
    assert sum(r.grown_counts.values()) == int(((grown > 0) & (seeds == 0)).sum())
    assert "blocks on dask local threads" in r.device


def test_a_lazy_segy_trains_blockwise_and_exports_like_its_source(f3, tmp_path):
    from napari_seisgrow.io import write_labels

    vol = load_volume(f3, lazy=True)
    seeds = np.zeros(vol.shape, np.uint8)
    seeds[4, :, 5:25], seeds[4, :, 45:70], seeds[18, :, 5:25], seeds[18, :, 45:70] = 1, 2, 1, 2
    session = Session(vol, seeds, _config(fill_final=True), blockwise=Blockwise(tmp_path / "w", block=BLOCK))
    list(session.run())
    out = write_labels(tmp_path / "labels.sgy", session.grown, vol.geometry)
    back = load_volume(out).data
    np.testing.assert_array_equal(back, np.asarray(session.grown))
    assert (back > 0).mean() > 0.9  # completed after the last epoch


def test_a_stop_keeps_the_last_complete_labels(on_disk, tmp_path):
    d, _, seeds = on_disk
    session = Session(np.load(d / "vol.npy", mmap_mode="r"), seeds, _config(epochs=3),
                               blockwise=Blockwise(tmp_path / "w", block=BLOCK))  # fmt: skip
    run = session.run()
    next(run)
    first = np.asarray(session.grown).copy()
    session.stop()
    assert list(run) == []
    np.testing.assert_array_equal(np.asarray(session.grown), first)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holdout_fraction": 0.3}, "held-out strokes need the in-memory session"),
        ({"grow_radius": 2}, "one-pass growth of radius 1"),
        ({"stroke_ties": True}, "control lines of the coordinate need the in-memory session"),
    ],
)
def test_settings_the_blockwise_session_cannot_honour_are_refused(on_disk, tmp_path, change, message):
    d, _, seeds = on_disk
    with pytest.raises(SeisgrowError, match=message):
        Session(np.load(d / "vol.npy", mmap_mode="r"), seeds, _config(**change),
                         blockwise=Blockwise(tmp_path / "w"))  # fmt: skip


def test_bad_seeds_and_nan_amplitudes_are_one_line(on_disk, tmp_path, monkeypatch):
    d, synth, seeds = on_disk
    vol = np.load(d / "vol.npy", mmap_mode="r")
    work = Blockwise(tmp_path / "w", block=BLOCK)
    with pytest.raises(SeisgrowError, match="there are no seeds"):
        Session(vol, np.zeros_like(seeds), _config(), blockwise=work)
    with pytest.raises(SeisgrowError, match="only class 1"):
        Session(vol, (seeds > 0).astype(np.uint8), _config(), blockwise=work)
    with pytest.raises(SeisgrowError, match="seeds have shape"):
        Session(vol, seeds[:-1], _config(), blockwise=work)
    bad = np.array(synth.volume.data)
    bad[20, 30, 40] = np.nan  # off the traces the clipping scale is estimated from
    np.save(tmp_path / "bad.npy", bad)
    with pytest.raises(SeisgrowError, match="NaN or infinite amplitudes"):  # among the traces sampled at the start
        Session(np.load(tmp_path / "bad.npy", mmap_mode="r"), seeds, _config(), blockwise=work)
    from napari_seisgrow.engine import lazy

    monkeypatch.setattr(lazy, "SAMPLE_LINES", 4)  # a big survey: the bad trace is not among those sampled
    with pytest.raises(SeisgrowError, match="NaN or infinite amplitudes") as info:
        session = Session(np.load(tmp_path / "bad.npy", mmap_mode="r"), seeds, _config(), blockwise=work)
        list(session.run())  # found where it is read: the stratigraphic coordinate's pass, a patch or a block
    assert "\n" not in str(info.value)


def test_stop_during_blockwise_inference_ends_the_pass_at_the_next_block(on_disk, tmp_path, monkeypatch):
    from napari_seisgrow.engine import blockwise_predict as bp

    d, _, seeds = on_disk
    stop = threading.Event()
    batches = []
    real = bp.probabilities

    def spy(nets, sections, amp):  # the real networks run; the first batch of inference presses Stop
        batches.append(len(sections))
        stop.set()
        return real(nets, sections, amp)

    monkeypatch.setattr(bp, "probabilities", spy)
    work = Blockwise(tmp_path / "w", block=BLOCK, workers=1)
    session = Session(np.load(d / "vol.npy", mmap_mode="r"), seeds, _config(inference_batch=4),
                               stop_event=stop, blockwise=work)  # fmt: skip
    assert list(session.run()) == []
    # one block's batches (at most 16 x 24 sections in batches of 4: 4 + 6), not the pass's 12 blocks (~90)
    assert 1 <= len(batches) <= 10
    assert not (tmp_path / "w" / "prediction.zarr").exists()  # nothing half-written
    np.testing.assert_array_equal(np.asarray(session.grown), seeds)  # the last good labels: the seeds


def test_a_blockwise_run_tells_dense_seeds_from_strokes_like_the_engine(on_disk, tmp_path):
    d, synth, seeds = on_disk
    source = np.load(d / "vol.npy", mmap_mode="r")
    inlines = np.zeros_like(synth.truth)
    inlines[[5, 20]] = synth.truth[[5, 20]]
    auto = _config(semi_supervised="auto", epochs=1)
    dense = Session(source, inlines, auto, blockwise=Blockwise(tmp_path / "a", block=BLOCK))
    sparse = Session(source, seeds, auto, blockwise=Blockwise(tmp_path / "b", block=BLOCK))
    assert not dense.semi_supervised and sparse.semi_supervised
    assert dense.stage(5) == "warmup" and dense.cps_lambda(5, 0) == 0.0
    (report,) = list(dense.run())
    assert report.stage == "warmup" and report.thresholds == (auto.dense_threshold,) * int(inlines.max())
    assert any("training on the seeds alone" in n for n in report.notes)


def test_blockwise_growth_keeps_the_growth_envelope_like_the_engine(on_disk, tmp_path):
    """Blockwise runs used to drop the envelope silently: a class grew far outside the interval
    of the coordinate its strokes span."""
    d, _, seeds = on_disk
    cfg = _config(grow_envelope=1.0, epochs=1)
    session = Session(np.load(d / "vol.npy", mmap_mode="r"), np.load(d / "seeds.npy", mmap_mode="r"), cfg,
                               blockwise=Blockwise(tmp_path / "work", block=BLOCK))  # fmt: skip
    list(session.run())
    winner, conf = np.asarray(session.winner), np.asarray(session.confidence)
    anywhere = _engine_growth(session, seeds, winner, conf, envelope=False)
    want = _engine_growth(session, seeds, winner, conf)
    assert ((anywhere > 0) & (want == 0)).any()  # without the envelope, classes grow out of their intervals
    np.testing.assert_array_equal(np.asarray(session.grown), want)
