from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from napari_seisgrow import SeisgrowError
from napari_seisgrow.engine import GrowConfig, Session, grow_volume
from tests.conftest import TINY


def _training_labels(session, stage: str):
    """The labels and weights a stage trains on, as the in-memory backend hands them to the sampler."""
    return session.backend.training_labels(stage, session.training_grown, session.config.grown_weight)


def test_two_epochs_yield_reports_that_grow_beyond_the_seeds(tiny_synthetic, tiny_seeds, tiny_config):
    seeds_before = tiny_seeds.copy()
    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config)
    reports = list(session.run())
    assert [r.epoch for r in reports] == [0, 1]
    assert [r.stage for r in reports] == ["cps", "grow"]
    for r in reports:
        assert r.grown.shape == tiny_seeds.shape and r.grown.dtype == np.uint8
        m = tiny_seeds > 0
        np.testing.assert_array_equal(r.grown[m], tiny_seeds[m])  # a superset of the seeds
        assert sum(r.grown_counts.values()) == int(((r.grown > 0) & ~m).sum())
        assert r.seconds > 0 and np.isfinite(r.sup_loss) and np.isfinite(r.cps_loss)
        assert r.device.startswith(tiny_config.device)  # the device actually used is reported
    assert sum(reports[-1].grown_counts.values()) > 0
    # where each epoch's time went: the phases add up to the epoch, and only the last one completes
    assert set(reports[0].timings) == {"train", "predict", "grow", "report"}
    assert set(reports[-1].timings) == {"train", "predict", "grow", "complete", "report"}
    for r in reports:
        assert all(v >= 0 for v in r.timings.values())
        assert sum(r.timings.values()) == pytest.approx(r.seconds, rel=0.05, abs=0.05)
    np.testing.assert_array_equal(tiny_seeds, seeds_before)  # the caller's seeds are untouched
    assert session.done and len(session.history) == 2
    json.dumps(session.history)


def test_stop_is_honoured_within_a_batch_and_keeps_last_labels(tiny_synthetic, tiny_seeds, tiny_config):
    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config.with_overrides(epochs=5, steps_per_epoch=3))
    calls = {"n": 0}
    original = session.step

    def counting_step(*args):
        calls["n"] += 1
        if calls["n"] == 5:  # the second batch of epoch 2
            session.stop()
        return original(*args)

    session.step = counting_step
    reports = list(session.run())
    assert len(reports) == 1
    assert calls["n"] == 5  # no batch ran after the stop
    assert session.epoch == 1
    np.testing.assert_array_equal(session.grown, reports[0].grown)


def test_same_seed_same_labels_on_cpu(tiny_synthetic, tiny_seeds, tiny_config):
    a = grow_volume(tiny_synthetic.volume, tiny_seeds, tiny_config)
    b = grow_volume(tiny_synthetic.volume, tiny_seeds, tiny_config)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.epochs[-1]["sup_loss"] == b.epochs[-1]["sup_loss"]


def test_checkpoint_resume_continues_identically(tmp_path, tiny_synthetic, tiny_seeds):
    cfg = GrowConfig(**{**TINY, "epochs": 3})
    straight = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    list(straight.run())

    first = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    it = first.run()
    next(it)
    next(it)
    first.save_checkpoint(tmp_path / "ckpt")
    assert sorted(p.name for p in (tmp_path / "ckpt").iterdir()) == [
        "confidence.npy", "config.json", "grown.npy", "meta.json", "model.pt", "seeds.npy", "strat.npy",
        "training_grown.npy",
        "winner.npy",
    ]  # fmt: skip
    meta = json.loads((tmp_path / "ckpt" / "meta.json").read_text())
    assert meta["epoch"] == 2 and "torch" in meta["versions"]
    resumed = Session.resume(tmp_path / "ckpt", tiny_synthetic.volume, tiny_seeds)
    assert resumed.epoch == 2
    rest = list(resumed.run())
    assert [r.epoch for r in rest] == [2]
    np.testing.assert_array_equal(resumed.grown, straight.grown)


def test_regrow_with_a_higher_threshold_assigns_fewer(tiny_synthetic, tiny_seeds, tiny_config):
    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config)
    with pytest.raises(SeisgrowError, match="train at least one epoch"):
        session.regrow()
    list(session.run())
    low = session.regrow(grow_thresholds=[0.0], fill_final=False).copy()
    high = session.regrow(grow_thresholds=[0.99])
    assert (high > 0).sum() < (low > 0).sum()
    assert session.config.grow_thresholds == [0.99]


def test_regrow_with_unchanged_settings_gives_back_the_end_of_training_labels(tiny_synthetic, tiny_seeds, tiny_config):
    # units as layers relabel the thresholded growth of unit classes; without them the completion only adds
    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config.with_overrides(unit_model="off"))
    list(session.run())
    end = session.grown.copy()
    assert (end > 0).all()  # completed along the layers: every voxel has a class
    np.testing.assert_array_equal(session.regrow(), end)
    thresholded = session.regrow(fill_final=False)
    assert (thresholded == 0).any() and ((thresholded == 0) | (thresholded == end)).all()


def test_holdout_accuracy_is_reported(tiny_synthetic, tiny_config):
    from napari_seisgrow.synthetic import seed_scribbles

    seeds = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    session = Session(tiny_synthetic.volume, seeds, tiny_config.with_overrides(holdout_fraction=0.3))
    assert (session.holdout > 0).any()
    assert not ((session.holdout > 0) & (session.train_seeds > 0)).any()
    r = next(session.run())
    assert r.holdout_accuracy is not None and 0.0 <= r.holdout_accuracy <= 1.0
    m = seeds > 0
    np.testing.assert_array_equal(r.grown[m], seeds[m])


@pytest.mark.parametrize(
    ("seeds", "phrase"),
    [
        (lambda s: np.zeros(s, np.uint8), "no seeds"),
        (lambda s: np.pad(np.ones((1, 1, 1), np.uint8), [(0, s[0] - 1), (0, s[1] - 1), (0, s[2] - 1)]), "only class 1"),
        (lambda s: np.zeros((2, 2, 2), np.uint8), "shape"),
        (lambda s: np.full(s, 0.5, np.float32), "whole numbers"),
        (lambda s: np.full(s, -1, np.int16), "negative"),
        (lambda s: np.full(s, 300, np.int16), "at most 255"),
    ],
)
def test_bad_seeds_are_refused(tiny_synthetic, tiny_config, seeds, phrase):
    with pytest.raises(SeisgrowError, match=phrase):
        Session(tiny_synthetic.volume, seeds(tiny_synthetic.truth.shape), tiny_config)


def test_bad_volumes_are_refused(tiny_seeds, tiny_config):
    shape = tiny_seeds.shape
    nan = np.zeros(shape, np.float32)
    nan[0, 0, 0] = np.nan
    with pytest.raises(SeisgrowError, match="NaN"):
        Session(nan, tiny_seeds, tiny_config)
    with pytest.raises(SeisgrowError, match="constant"):
        Session(np.ones(shape, np.float32), tiny_seeds, tiny_config)


def test_seeds_on_one_section_only_train_and_grow(tiny_synthetic, tiny_config):
    seeds = np.zeros_like(tiny_synthetic.truth)
    seeds[8, ::3, ::4] = tiny_synthetic.truth[8, ::3, ::4]  # every stroke on inline 8
    reports = list(Session(tiny_synthetic.volume, seeds, tiny_config).run())
    grown = reports[-1].grown
    assert (grown[:8] > 0).any() and (grown[9:] > 0).any()  # growth left the painted section


def test_a_volume_smaller_than_the_patch_trains(tiny_synthetic, tiny_seeds, tiny_config):
    cfg = tiny_config.with_overrides(patch_size=[64, 96])  # the default patch, larger than 16 x 24 x 48
    reports = list(Session(tiny_synthetic.volume, tiny_seeds, cfg).run())
    assert reports[-1].grown.shape == tiny_seeds.shape


def test_a_single_inline_trains(tiny_synthetic, tiny_config):
    line = tiny_synthetic.volume.data[8]
    truth = tiny_synthetic.truth[8]
    seeds = np.zeros_like(truth)
    seeds[::6, ::4] = truth[::6, ::4]
    session = Session(line, seeds, tiny_config)
    reports = list(session.run())
    assert reports[-1].grown.shape == (1, *line.shape)


def test_final_fill_completes_the_thresholded_growth(tiny_synthetic, tiny_seeds, tiny_config):
    cfg = tiny_config.with_overrides(grow_thresholds=[0.9])
    plain = grow_volume(tiny_synthetic.volume, tiny_seeds, cfg.with_overrides(fill_final=False)).labels
    filled = grow_volume(tiny_synthetic.volume, tiny_seeds, cfg.with_overrides(fill_final=True)).labels
    kept = plain > 0
    np.testing.assert_array_equal(filled[kept], plain[kept])  # completion only adds
    assert (filled > 0).sum() > kept.sum()


def test_seeds_anchor_a_share_of_patches_in_the_label_update_stage(tiny_synthetic, tiny_seeds, tiny_config):
    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config.with_overrides(seed_patch_fraction=1.0))
    list(session.run())
    labels, weights = _training_labels(session, "grow")
    session.trainer.sampler.set_labels(labels, weights, session.train_seeds)
    batch = session.trainer.sampler.labelled_batch(16)
    # every patch was centred on a painted voxel, so each one holds full-weight (seed) pixels
    assert all((w == 1.0).any() for w in batch.w)


def test_out_of_memory_halves_the_batches_and_says_so(tiny_synthetic, tiny_seeds, monkeypatch):
    """An injected out-of-memory error in the real networks: the session retries, smaller, and reports it."""
    from napari_seisgrow.engine.unet import UNet

    real = UNet.forward

    def tight(self, x):
        if x.shape[0] > 1:  # only a batch of one section fits, in training and in inference
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (injected)")
        return real(self, x)

    monkeypatch.setattr(UNet, "forward", tight)
    cfg = GrowConfig(**{**TINY, "batch_labelled": 4, "batch_unlabelled": 4, "inference_batch": 4})
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    reports = list(session.run())
    assert len(reports) == TINY["epochs"]
    assert (session.config.batch_labelled, session.config.batch_unlabelled, session.config.inference_batch) == (1, 1, 1)
    notes = [n for r in reports for n in r.notes]
    assert any("retrying with batch labelled 2, batch unlabelled 2" in n for n in notes), notes
    assert any("inference" in n and "inference batch 1" in n for n in notes), notes
    assert "note: out of CPU memory" in reports[0].line()
    np.testing.assert_array_equal(reports[-1].grown[tiny_seeds > 0], tiny_seeds[tiny_seeds > 0])


def test_out_of_memory_at_a_batch_of_one_on_the_cpu_is_a_clear_error(tiny_synthetic, tiny_seeds, monkeypatch):
    from napari_seisgrow.engine.unet import UNet

    def never(self, x):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory (injected)")

    monkeypatch.setattr(UNet, "forward", never)
    session = Session(tiny_synthetic.volume, tiny_seeds, GrowConfig(**TINY))
    with pytest.raises(SeisgrowError, match="even with a batch of 1"):
        list(session.run())
    np.testing.assert_array_equal(session.grown, session.seeds)  # the last good labels: the seeds


def test_damaged_checkpoints_and_sessions_are_one_line_errors(tiny_synthetic, tiny_seeds, tiny_config, tmp_path):
    from napari_seisgrow.saved.sessions import load_session

    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config.with_overrides(epochs=1))
    list(session.run())
    ckpt = session.save_checkpoint(tmp_path / "ckpt")
    (ckpt / "model.pt").write_bytes(b"not a torch file")
    with pytest.raises(SeisgrowError, match="incomplete or damaged") as err:
        Session.resume(ckpt, tiny_synthetic.volume, tiny_seeds)
    assert "\n" not in str(err.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(SeisgrowError, match="not a napari-seisgrow checkpoint"):
        Session.resume(tmp_path / "empty", tiny_synthetic.volume, tiny_seeds)
    with pytest.raises(SeisgrowError, match="not a saved napari-seisgrow session"):
        load_session(tmp_path / "empty")


def test_previews_come_within_epochs_and_change_nothing(tiny_synthetic, tiny_seeds, tiny_config):
    from napari_seisgrow.engine.report import EpochReport, Preview, Swept
    from napari_seisgrow.engine.session import PREVIEW_EVERY

    cfg = tiny_config.with_overrides(epochs=2, steps_per_epoch=2 * PREVIEW_EVERY)
    plain = [r.grown for r in Session(tiny_synthetic.volume, tiny_seeds, cfg).run()]
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    asked = [(0, 5)]
    session.preview_request = lambda: asked[-1]
    items = []
    for item in session.run():
        items.append(item)
        if isinstance(item, Preview) and len(items) == 1:
            asked.append((1, 7))  # the viewer moved to a crossline
    previews = [i for i in items if isinstance(i, Preview)]
    reports = [i for i in items if isinstance(i, EpochReport)]
    assert len(reports) == 2 and len(previews) == 2 * 3  # after step 1, 4 and 8 of each epoch
    assert [(p.axis, p.index) for p in previews[:2]] == [(0, 5), (1, 7)]
    assert previews[0].labels.shape == tiny_seeds.shape[1:] and previews[1].labels.shape == (16, 48)
    assert previews[0].labels.min() >= 1 and previews[0].labels.max() <= int(tiny_seeds.max())
    first_epoch = items[: items.index(reports[0])]
    assert [type(i) for i in first_epoch[:3]] == [Preview] * 3  # the epoch's previews, then its pass's progress
    assert all(isinstance(i, Swept) for i in first_epoch[3:]) and len(first_epoch) > 3
    for got, want in zip(reports, plain, strict=True):
        np.testing.assert_array_equal(got.grown, want)  # previews take no randomness and no training
    session.preview_request = lambda: (2, 10)  # a time slice: the networks read no such sections
    assert session.preview(2, 10) is None and session.preview(0, 99) is None


def test_the_pass_fills_in_from_the_shown_section_coarse_first(tiny_synthetic, tiny_seeds, tiny_config):
    from napari_seisgrow.engine.predict import predict_volume
    from napari_seisgrow.engine.report import EpochReport, Swept

    cfg = tiny_config.with_overrides(epochs=2)
    assert cfg.orientations[-1] == "crossline"  # the pass finishes sections along the crosslines
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    session.preview_request = lambda: (1, 13)  # the viewer shows crossline 13
    n = tiny_seeds.shape[1]
    swept: list[Swept] = []
    for item in session.run():
        if isinstance(item, Swept) and item.epoch == 0:
            swept.append(item)
        if isinstance(item, EpochReport):
            break  # after the first epoch: its winners are the pass's own (the last epoch's may be smoothed)
    assert [s.done for s in swept] == sorted(s.done for s in swept) and swept[-1].done == 1.0
    final = [s for s in swept if s.final]
    assert all(s.current == 0 for s in swept if not s.final) and final[-1].current == 1.0
    order = [i for s in final for i in s.indices]
    assert order[0] == 13 and sorted(order) == list(range(n))  # the shown crossline first, each once
    spread = order[1:9]
    assert max(spread) - min(spread) >= n // 2  # then sections across the whole volume, not one end first
    assert session.winner is not None
    for s in final:
        for i, labels in zip(s.indices, s.labels, strict=True):
            np.testing.assert_array_equal(labels, session.winner[:, i])  # what the finished pass gives there
    early = [s for s in swept if not s.final]  # the inline half of the pass: the inlines' own winners
    inline_only = predict_volume(session.predicting_nets, session.inputs, session.n_classes, ["inline"],
                                 session.device, amp=cfg.amp)  # fmt: skip
    assert inline_only is not None and {s.axis for s in early} == {0}
    assert sorted(i for s in early for i in s.indices) == list(range(tiny_seeds.shape[0]))
    for s in early:
        for i, labels in zip(s.indices, s.labels, strict=True):
            np.testing.assert_array_equal(labels, inline_only[0][i])


def test_layer_smoothing_grows_from_the_votes_averaged_along_the_layering(tiny_synthetic, tiny_seeds, tiny_config):
    from napari_seisgrow.engine.layers import smooth_along_layers
    from napari_seisgrow.engine.predict import predict_with_own

    cfg = tiny_config.with_overrides(epochs=1, layer_smoothing=2.0)
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    assert session.strat is not None  # smoothing alone asks for the stratigraphic coordinate
    list(session.run())
    # the last epoch's sweep also keeps each network's own winner (for the completion)
    raw = predict_with_own(session.predicting_nets, session.inputs, session.n_classes, cfg.orientations,
                           session.device, batch=cfg.inference_batch, amp=cfg.amp)  # fmt: skip
    assert raw is not None
    raw = raw[:2]
    want = smooth_along_layers(*raw, session.strat.full(), session.n_classes, 2.0, session.live)
    np.testing.assert_array_equal(session.winner, want[0])
    np.testing.assert_array_equal(session.confidence, want[1])
    assert not np.array_equal(session.confidence, raw[1])  # the averaging changed the confidences


def test_resume_keeps_the_held_out_split(tmp_path, tiny_synthetic, tiny_seeds):
    """Strokes trained on before a checkpoint are never held out after it, held-out strokes stay
    held out, and only a stroke painted since can be held out (resume used to redraw the split)."""
    cfg = GrowConfig(**{**TINY, "epochs": 2, "holdout_fraction": 0.5})
    first = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    next(first.run())
    assert (first.holdout > 0).any() and (first.train_seeds > 0).any()
    first.save_checkpoint(tmp_path / "ckpt")
    more = tiny_seeds.copy()
    more[0, 2:6, 10:14] = np.where(more[0, 2:6, 10:14] == 0, tiny_synthetic.truth[0, 2:6, 10:14], more[0, 2:6, 10:14])
    for seed in (cfg.seed, cfg.seed + 1):  # whatever the seed, the split is the checkpoint's
        resumed = Session.resume(tmp_path / "ckpt", tiny_synthetic.volume, more, seed=seed)
        held_before, trained_before = first.holdout > 0, first.train_seeds > 0
        np.testing.assert_array_equal(resumed.holdout[held_before], first.holdout[held_before])
        np.testing.assert_array_equal(resumed.train_seeds[trained_before], first.train_seeds[trained_before])


def test_continue_grows_with_the_new_settings_before_training_and_restarts_the_rate(
    tmp_path, tiny_synthetic, tiny_seeds
):
    """Continue used to regrow the labels the next epochs train on with the old thresholds, and to
    stretch the first learning-rate cycle (the rate jumped from 5 % back to about half)."""
    session = Session(tiny_synthetic.volume, tiny_seeds, GrowConfig(**{**TINY, "epochs": 2}))
    for _ in session.run():
        pass
    grown_before = int((session.training_grown > 0).sum())
    assert grown_before > int((session.train_seeds > 0).sum())  # threshold 0.2 grows
    more = tiny_seeds.copy()
    more[0, 2:6, 10:14] = np.where(more[0, 2:6, 10:14] == 0, tiny_synthetic.truth[0, 2:6, 10:14], more[0, 2:6, 10:14])
    session.continue_with(more, 2, grow_thresholds=[1.0])
    assert session.config.epochs == 4 and session.config.grow_thresholds == [1.0]
    painted = int((session.train_seeds > 0).sum())
    assert int((session.training_grown > 0).sum()) == painted  # nothing is sure enough at 1.0
    assert session.lr_cycle == 2
    session.save_checkpoint(tmp_path / "ckpt")
    assert Session.resume(tmp_path / "ckpt", tiny_synthetic.volume, more).lr_cycle == 2
    reports = list(session.run())
    assert len(reports) == 2 and session.epoch == 4
    peak, floor = session.config.lr * session.config.continue_lr, session.config.lr * 0.05
    assert session.trainer.optimizer.param_groups[0]["lr"] == pytest.approx(
        floor + (peak - floor) * 0.5 * (1 + np.cos(np.pi * (1 + 2 / 3) / 2))
    )


def test_continue_refuses_training_settings_and_changes_nothing(tiny_synthetic, tiny_seeds):
    session = Session(tiny_synthetic.volume, tiny_seeds, GrowConfig(**TINY))
    for _ in session.run():
        pass
    before = session.config
    with pytest.raises(SeisgrowError, match="lr"):
        session.continue_with(tiny_seeds, 2, lr=1e-2)
    with pytest.raises(SeisgrowError, match="at least one"):
        session.continue_with(tiny_seeds, 0)
    assert session.config == before and session.lr_cycle == 0


def test_label_updates_off_keeps_the_cps_stage_and_its_ramp(tiny_synthetic, tiny_seeds):
    """The no-updates ablation used to stretch the CPS ramp over the whole run; switched off, the
    label-update stage never starts and the CPS weight follows the default's ramp epoch by epoch."""
    cfg = GrowConfig(**{**TINY, "epochs": 4, "warmup_epochs": 1, "cps_epochs": 2})
    on, off = (
        Session(tiny_synthetic.volume, tiny_seeds, cfg),
        Session(tiny_synthetic.volume, tiny_seeds, cfg.with_overrides(label_updates=False)),
    )
    assert [on.config.stage(e) for e in range(4)] == ["warmup", "cps", "cps", "grow"]
    assert [off.config.stage(e) for e in range(4)] == ["warmup", "cps", "cps", "cps"]
    with_updates, without = list(on.run()), list(off.run())
    assert [r.stage for r in without] == ["warmup", "cps", "cps", "cps"]
    assert [r.cps_weight for r in without] == [r.cps_weight for r in with_updates]  # the same ramp, epoch by epoch


def test_turns_predict_with_one_network_in_one_orientation_until_the_last_epoch(tiny_synthetic, tiny_seeds):
    from napari_seisgrow.engine.predict import predict_volume

    session = Session(
        tiny_synthetic.volume, tiny_seeds, GrowConfig(**{**TINY, "epochs": 3, "epoch_inference": "turns"})
    )
    nets = session.predicting_nets

    def own(which: list, orientations: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return predict_volume(
            which, session.inputs, session.n_classes, orientations, session.device, amp=session.config.amp
        )

    runs = session.run()
    expected = [([nets[0]], ["inline"]), ([nets[1]], ["inline"]), (nets, ["inline", "crossline"])]
    for epoch, (which, orientations) in enumerate(expected):
        report = next(runs)
        assert report.epoch == epoch
        if epoch < 2:  # the last epoch's votes are smoothed along the layers when that is on, so compare before it
            winner, confidence = own(which, orientations)
            np.testing.assert_array_equal(session.winner, winner)
            np.testing.assert_array_equal(session.confidence, confidence)  # the very pass, not a similar one
            assert not np.array_equal(session.confidence, own(nets, ["inline", "crossline"])[1])
    assert session.epoch_predictors(2) == (nets, session.config)  # the run's result comes from the ensemble


def test_the_ensemble_predicts_the_epochs_before_the_last_by_default(tiny_synthetic, tiny_seeds, tiny_config):
    from napari_seisgrow.engine.predict import predict_volume

    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config.with_overrides(epochs=2))
    next(iter(session.run()))
    both = predict_volume(session.predicting_nets, session.inputs, session.n_classes, ["inline", "crossline"],
                          session.device, amp=session.config.amp)  # fmt: skip
    np.testing.assert_array_equal(session.winner, both[0])
    np.testing.assert_array_equal(session.confidence, both[1])


def test_orientation_turns_predict_with_both_networks_one_orientation_at_a_time(tiny_synthetic, tiny_seeds):
    from napari_seisgrow.engine.predict import predict_volume

    cfg = GrowConfig(**{**TINY, "epochs": 3, "epoch_inference": "orientation-turns"})
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    nets = session.predicting_nets
    assert [session.epoch_predictors(e)[1].orientations for e in range(3)] == [
        ["inline"],
        ["crossline"],
        ["inline", "crossline"],
    ]
    runs = session.run()
    for orientation in ("inline", "crossline"):
        next(runs)
        own = predict_volume(nets, session.inputs, session.n_classes, [orientation], session.device,
                             amp=session.config.amp)  # fmt: skip
        np.testing.assert_array_equal(session.confidence, own[1])


def test_the_last_epoch_keeps_each_networks_own_winner_from_its_one_sweep(tiny_synthetic, tiny_seeds, tiny_config):
    """The completion asks where the networks agree; the last epoch's sweep has already answered,
    so no network predicts the volume again, and the answer is what each network alone predicts."""
    from napari_seisgrow.engine import predict

    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config.with_overrides(epochs=2))
    runs = session.run()
    next(runs)
    assert session.net_answers(networks=False) is None  # an epoch before the last keeps no own winners
    next(runs)
    kept = session.net_answers(networks=False)
    assert kept is not None and len(kept) == 2
    for net, mine in zip(session.predicting_nets, kept, strict=True):
        alone = predict.predict_with_own([net], session.inputs, session.n_classes, session.config.orientations,
                                         session.device, batch=session.config.inference_batch,
                                         amp=session.config.amp)  # fmt: skip
        np.testing.assert_array_equal(mine, alone[0])
    cfg = session.config
    assert cfg.completion == "layers" and cfg.agreement < 1.0  # the completion does ask for the agreement
    passes = []
    real = predict.accumulate_sections
    try:
        predict.accumulate_sections = lambda *a, **k: passes.append(1) or real(*a, **k)
        session.complete()
    finally:
        predict.accumulate_sections = real
    assert passes == []  # the completion's agreement came from the kept winners
