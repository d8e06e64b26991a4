"""The method's wiring, each part checked where it can go wrong: cross supervision, the stage
schedule, what the label-update stage trains on, new seeds mid-run and settings changed mid-run."""

from __future__ import annotations

import numpy as np
import torch

from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.engine import step as step_module
from napari_seisgrow.synthetic import seed_scribbles

from ..conftest import TINY


def _training_labels(session, stage: str):
    """The labels and weights a stage trains on, as the in-memory backend hands them to the sampler."""
    return session.backend.training_labels(stage, session.training_grown, session.config.grown_weight)


def _record_cps(monkeypatch):
    calls = []
    real = step_module.cps_loss

    def recording(logits, other_probs, mask, **kw):
        calls.append((logits.detach().clone(), other_probs.detach().clone()))
        return real(logits, other_probs, mask, **kw)

    monkeypatch.setattr(step_module, "cps_loss", recording)
    return calls


def test_each_network_learns_from_the_other_networks_pseudo_labels(tiny_synthetic, tiny_seeds, monkeypatch):
    calls = _record_cps(monkeypatch)
    cfg = GrowConfig(**{**TINY, "warmup_epochs": 0, "cps_epochs": 0, "epochs": 1, "steps_per_epoch": 1})
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    list(session.run())
    assert len(calls) == 4  # two networks, on the labelled and on the unlabelled batch
    for (logits_a, target_a), (logits_b, target_b) in (calls[0:2], calls[2:4]):
        own_a, own_b = torch.softmax(logits_a.float(), 1), torch.softmax(logits_b.float(), 1)
        torch.testing.assert_close(target_a, own_b)  # network 0 is taught by network 1...
        torch.testing.assert_close(target_b, own_a)  # ...and network 1 by network 0
        assert not torch.allclose(target_a, own_a)  # not by itself: self-training fails here


def test_warm_up_has_no_cps_term_and_the_ramp_reaches_its_weight(tiny_synthetic, tiny_seeds, monkeypatch):
    calls = _record_cps(monkeypatch)
    cfg = GrowConfig(**{**TINY, "warmup_epochs": 1, "cps_epochs": 2, "epochs": 4, "cps_weight": 0.7,
                        "steps_per_epoch": 2})  # fmt: skip
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    drawn = []
    real_unlabelled = session.trainer.sampler.unlabelled_batch
    session.trainer.sampler.unlabelled_batch = lambda n: drawn.append(session.epoch) or real_unlabelled(n)
    it = session.run()
    next(it)  # the warm-up epoch
    assert calls == [] and drawn == []
    lambdas = [session.cps_lambda(e, s) for e in range(4) for s in range(2)]
    assert lambdas[:2] == [0.0, 0.0]
    assert 0 < lambdas[2] < lambdas[3] < lambdas[4] < lambdas[5] == 0.7  # ramps over the CPS epochs
    assert lambdas[6:] == [0.7, 0.7]
    list(it)
    assert calls and drawn and min(drawn) == 1


def test_label_update_trains_on_grown_labels_at_their_weight_without_held_out_strokes(tiny_synthetic):
    seeds = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "holdout_fraction": 0.3, "grown_weight": 0.4})
    session = Session(tiny_synthetic.volume, seeds, cfg)
    held = session.holdout > 0
    assert held.any()
    session.training_grown = np.where(seeds > 0, seeds, 1).astype(np.uint8)  # pretend growth covered everything
    labels, weights = _training_labels(session, "grow")
    painted = session.train_seeds > 0
    assert (weights[painted] == 1.0).all() and (labels[painted] == session.train_seeds[painted]).all()
    assert (weights[held] == 0.0).all() and (labels[held] == 0).all()  # held-out strokes never train
    grown = ~painted & ~held
    assert np.allclose(weights[grown], 0.4) and (labels[grown] == 1).all()
    labels, weights = _training_labels(session, "cps")  # before the label-update stage: seeds only
    assert ((labels > 0) == painted).all()


def test_new_seeds_keep_held_out_strokes_and_never_train_on_completed_labels(tiny_synthetic):
    seeds = seed_scribbles(tiny_synthetic.truth, n_inlines=3, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "holdout_fraction": 0.3, "epochs": 2})
    session = Session(tiny_synthetic.volume, seeds, cfg)
    list(session.run())
    assert (session.grown > 0).all()  # completed for the viewer...
    assert (session.training_grown == 0).any()  # ...but not what training sees
    held_before = session.holdout.copy()
    new = seeds.copy()
    new[0, :3, :3] = int(tiny_synthetic.truth[0, 1, 1])  # a new stroke
    session.update_seeds(new)
    np.testing.assert_array_equal(session.holdout[held_before > 0], held_before[held_before > 0])
    assert not ((session.train_seeds > 0) & (held_before > 0)).any()  # no held-out stroke moves to training
    labels, _ = _training_labels(session, "grow")
    assert (labels == 0).any()
    np.testing.assert_array_equal(session.training_grown, session.grow_labels(None))  # regrown from the new seeds


def test_erasing_a_stroke_removes_its_growth_from_training(tiny_synthetic, tiny_seeds):
    cfg = GrowConfig(**{**TINY, "epochs": 1, "grow_thresholds": [0.0]})
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    list(session.run())
    classes = np.unique(tiny_seeds[tiny_seeds > 0])
    gone = int(classes[-1])
    erased = np.where(tiny_seeds == gone, 0, tiny_seeds).astype(np.uint8)
    session.update_seeds(erased)
    assert not (session.training_grown == gone).any()  # nothing grows from a stroke that is no more


def test_settings_changed_mid_run_reach_the_patch_sampler(tiny_synthetic, tiny_seeds):
    session = Session(tiny_synthetic.volume, tiny_seeds, GrowConfig(**TINY))
    session.config = session.config.with_overrides(patch_size=[16, 16])
    session.backend.set_training_labels(session.trainer.sampler, "warmup", session.training_grown, 1.0)
    batch = session.trainer.sampler.labelled_batch(2)
    assert batch.x.shape[-2:] == (16, 16)  # the sampler reads the patch size from the session's config


def _trained_and_certain(volume, seeds, cls: int, **settings):
    """A one-epoch run whose networks are then said to call every voxel ``cls`` with full
    confidence, so that only growth's own rules decide where ``cls`` goes; with each class's
    interval of the coordinate under its strokes (``lo``, ``hi``) and the coordinate."""
    from napari_seisgrow.engine.layers import class_ranges

    session = Session(volume, seeds, GrowConfig(**{**TINY, "epochs": 1, **settings}))
    list(session.run())
    session.winner = np.full_like(session.winner, cls)
    session.confidence = np.ones_like(session.confidence)
    tau = session.strat.full()
    return session, tau, *class_ranges(session.train_seeds, tau, session.n_classes)


def test_the_final_growth_keeps_out_of_the_layers_other_classes_painted(tiny_synthetic, tiny_seeds):
    session, tau, lo, hi = _trained_and_certain(
        tiny_synthetic.volume, tiny_seeds, 1, grow_envelope=1000.0, layer_claims="painted"
    )
    theirs = np.zeros(tau.shape, bool)
    for k in range(2, session.n_classes + 1):
        theirs |= (tau >= lo[k] - 1.0) & (tau <= hi[k] + 1.0)
    theirs &= ~((tau >= lo[1] - 1.0) & (tau <= hi[1] + 1.0))
    assert theirs.any()
    final = session.grow_labels(None, final=True)
    added = (final == 1) & (session.train_seeds == 0)
    assert added.any() and not added[theirs].any()
    assert ((session.grow_labels(None) == 1) & theirs).any()  # the labels training sees are grown as before
    session.regrow()
    assert (session.training_grown == final).all()  # a finished run's Grow applies it too
    session.config = session.config.with_overrides(layer_claims="nearest")
    strict = (session.grow_labels(None, final=True) == 1) & (session.train_seeds == 0)
    assert strict.sum() <= added.sum() and not strict[theirs].any()
    session.config = session.config.with_overrides(layer_claims="off")
    assert ((session.grow_labels(None, final=True) == 1) & theirs).any()  # without the rule class 1 grows over them


def test_growth_stays_within_each_classs_stratigraphic_interval_and_off_dead_samples(tiny_synthetic, tiny_seeds):
    session, tau, lo, hi = _trained_and_certain(
        tiny_synthetic.volume,
        tiny_seeds,
        1,
        grow_envelope=2.0,
        envelope_in_training=True,  # every growth held
    )
    grown = session.grow_labels(None)
    added = (grown == 1) & (session.train_seeds == 0)
    assert added.any()
    assert (tau[added] >= lo[1] - 2.0).all() and (tau[added] <= hi[1] + 2.0).all()
    free = session.config.with_overrides(grow_envelope=0.0)
    session.config = free
    assert (session.grow_labels(None) == 1).sum() > (grown == 1).sum()  # without the envelope it spreads further
    session.backend.x = np.array(session.x)  # a new array: where the volume holds data is worked out again
    session.x[:, :, :5] = 0.0  # dead samples at the top: no data
    assert not (session.grow_labels(None)[:, :, :5][session.train_seeds[:, :, :5] == 0] > 0).any()


def test_the_envelope_can_leave_training_alone_and_hold_the_final_labels_only(tiny_synthetic, tiny_seeds):
    session, tau, lo, hi = _trained_and_certain(
        tiny_synthetic.volume, tiny_seeds, 1, grow_envelope=2.0, envelope_in_training=False
    )
    outside = (tau < lo[1] - 2.0) | (tau > hi[1] + 2.0)
    assert outside.any()
    training = session.grow_labels(None)  # the labels the networks train on: not held
    assert ((training == 1) & outside & (session.train_seeds == 0)).any()
    final = session.grow_labels(None, final=True)  # the run's labels: held
    assert not ((final == 1) & outside & (session.train_seeds == 0)).any()
    session.config = session.config.with_overrides(envelope_in_training=True)
    assert not ((session.grow_labels(None) == 1) & outside & (session.train_seeds == 0)).any()


def test_an_envelope_for_units_only_lets_a_body_grow_across_the_column(tiny_synthetic, tiny_seeds):
    session, tau, lo, hi = _trained_and_certain(
        tiny_synthetic.volume,
        tiny_seeds,
        2,
        grow_envelope=2.0,
        class_kinds=["unit", "body"],  # class 2 a body
    )
    outside = ((tau < lo[2] - 2.0) | (tau > hi[2] + 2.0)) & (session.train_seeds == 0)
    assert outside.any()
    assert not ((session.grow_labels(None, final=True) == 2) & outside).any()  # all classes held (the default)
    session.config = session.config.with_overrides(envelope_kinds="units")
    assert ((session.grow_labels(None, final=True) == 2) & outside).any()  # the body is not held
    session.winner = np.full_like(session.winner, 1)  # class 1 is a unit: still held
    outside_1 = ((tau < lo[1] - 2.0) | (tau > hi[1] + 2.0)) & (session.train_seeds == 0)
    assert outside_1.any() and not ((session.grow_labels(None, final=True) == 1) & outside_1).any()


def test_the_final_labels_keep_units_in_order_and_bodies_where_the_networks_put_them():
    from napari_seisgrow.engine.units import unit_boundaries
    from napari_seisgrow.synthetic.strata import make_strata

    syn = make_strata((6, 24, 64), seed=1, n_units=4)
    seeds = seed_scribbles(syn.truth, n_inlines=2, fraction=0.02, seed=0)
    cfg = GrowConfig(**{**TINY, "class_kinds": ["auto", "body"], "unit_agreement": 0.0})  # class 2 is said to be a body
    session = Session(syn.volume, seeds, cfg)
    reports = list(session.run())
    final = session.grown.copy()
    assert "classes as layers" in reports[-1].layering and "as set for class 2" in reports[-1].layering
    assert not any("classes as layers" in n for r in reports for n in r.notes)  # information, not a warning
    units = session.class_kinds().of("unit")
    assert 2 not in units and len(units) >= 2
    order, _ = unit_boundaries(session.strat.full(), session.x, session.train_seeds, units)
    lut = np.zeros(256, np.int64)
    lut[order] = np.arange(1, len(order) + 1)
    rank = lut[np.where(final == 2, 0, final)]
    ranked = np.where(rank > 0, rank, -1)
    running = np.maximum.accumulate(ranked, axis=2)  # deepest unit seen so far down each trace
    assert ((ranked == -1) | (ranked >= running)).all()  # no unit ever above one seen higher up
    networks = session.regrow(unit_model="off")
    assert ((networks == 2) == (final == 2)).all()  # the body is where the networks' labels put it
    assert (final[seeds > 0] == seeds[seeds > 0]).all()


def test_units_the_networks_hardly_see_are_labelled_as_bodies_and_a_unit_set_so_stays_one():
    from napari_seisgrow.synthetic.strata import make_strata

    syn = make_strata((6, 24, 64), seed=1, n_units=4)
    seeds = seed_scribbles(syn.truth, n_inlines=2, fraction=0.02, seed=0)
    session = Session(syn.volume, seeds, GrowConfig(**{**TINY, "unit_agreement": 1.0}))
    reports = list(session.run())
    notes = [r.layering for r in reports if "classes as layers" in r.layering or "no layers" in r.layering]
    assert notes and "is a body after all" in notes[-1]  # no layer is ever all its class's: every one demoted
    np.testing.assert_array_equal(session.grown, session.regrow(unit_model="off"))
    kept = session.regrow(unit_model="layered", class_kinds=["unit", "unit"])
    assert "classes as layers" in session.layering_note
    session.regrow(fill_final=False)
    assert session.layering_note == ""  # labels left uncompleted are not layered: no stale reasons shown
    assert not np.array_equal(kept, session.regrow(unit_model="off", fill_final=True))  # the set units were layered
