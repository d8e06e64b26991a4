"""Units as ordered layers, bodies across them, and which classes are which."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import units
from napari_seisgrow.engine.structure import stratigraphic_coordinate
from napari_seisgrow.engine.units import (
    BODY,
    UNIT,
    as_layers,
    boundary_choices,
    infer_kinds,
    layered_labels,
    unit_boundaries,
    unit_doubt,
    unseen_layers,
    with_bodies,
)
from napari_seisgrow.synthetic.strata import make_strata
from napari_seisgrow.synthetic.strokes import seed_scribbles


def _flat(nx: int = 60, nt: int = 90) -> np.ndarray:
    return np.broadcast_to(np.arange(nt, dtype=np.float32), (1, nx, nt)).copy()


def _rank(labels: np.ndarray, order: list[int]) -> np.ndarray:
    lut = np.zeros(256, np.int64)
    lut[order] = np.arange(1, len(order) + 1)
    return lut[labels]


def test_units_keep_their_order_on_every_trace_of_a_layered_synthetic():
    syn = make_strata((1, 96, 128), seed=3)
    x = syn.volume.data
    seeds = seed_scribbles(syn.truth, n_inlines=1, fraction=0.01, seed=0)
    tau = stratigraphic_coordinate(x)
    n = int(seeds.max())
    kinds = infer_kinds(seeds, tau, n)
    units = kinds.of(UNIT)
    assert len(units) >= 2
    labels = layered_labels(tau, x, seeds, units)
    order, _ = unit_boundaries(tau, x, seeds, units)
    rank = _rank(labels, order)
    assert (rank > 0).all()  # every voxel is some unit
    assert (np.diff(rank, axis=2) >= 0).all()  # and going down a trace never goes back up the column
    painted = np.isin(seeds, units)
    np.testing.assert_array_equal(labels[painted], seeds[painted])


def test_a_unit_that_pinches_out_is_absent_where_the_strokes_say_and_nowhere_else():
    """Unit 2 is 20 samples thick on the left and gone on the right, where the interpreter paints
    unit 1 down to unit 3, at the depth unit 2 holds on the left. A flat level cannot be right on
    both sides; the boundaries move and meet."""
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 5:55, 20:24] = 1
    seeds[0, 5:20, 48:52] = 2  # unit 2 on the left (its interval there: 40-60)
    seeds[0, 5:20, 70:74] = 3
    seeds[0, 45:55, 42:46] = 3  # unit 3 right under unit 1 on the right: unit 2 has pinched out
    seeds[0, 45:55, 34:42] = 1
    amp = np.zeros(tau.shape, np.float32)
    labels = layered_labels(tau, amp, seeds, [1, 2, 3])
    assert (labels[0, 45:55] != 2).all()  # absent on the painted right-hand traces
    assert (labels[0, 5:20] == 2).any(axis=1).all()  # present on every left-hand trace
    assert (labels[0, 5:20, 48:52] == 2).all()
    rank = _rank(labels, [1, 2, 3])
    assert (np.diff(rank, axis=2) >= 0).all()


def test_a_boundary_lands_on_the_strongest_reflector_between_the_strokes():
    tau = _flat()
    amp = np.zeros(tau.shape, np.float32)
    amp[..., 37] = -1.0  # a strong continuous trough between the strokes, off their midpoint (45)
    amp[..., 50] = 0.3
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 10:20, 28:31] = 1
    seeds[0, 30:40, 60:63] = 2
    labels = layered_labels(tau, amp, seeds, [1, 2])
    assert (labels[0, :, 36] == 1).all() and (labels[0, :, 37] == 2).all()


def test_doubt_spans_the_rival_reflectors_of_a_boundary_and_names_the_unit_across(monkeypatch):
    """Two equal reflectors between the strokes: the boundary takes one, and the voxels between
    it and its rival are in doubt by about half, with the other unit named. A gap with one
    reflector alone is hardly in doubt anywhere. (The boundary holds its reflector on every
    trace here; its hold is set aside, to see the rivals' share alone.)"""
    monkeypatch.setattr(units, "HELD_DOUBT_FLOOR", 1.0)
    tau = _flat()
    amp = np.zeros(tau.shape, np.float32)
    amp[..., 38] = 1.0
    amp[..., 52] = 1.0  # a rival as strong, as far from the gap's middle (45)
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 10:20, 28:31] = 1
    seeds[0, 30:40, 60:63] = 2
    labels = layered_labels(tau, amp, seeds, [1, 2])
    level = int(np.argmax(labels[0, 30] == 2))
    assert level in (38, 52)
    doubt, other = unit_doubt(tau, amp, seeds, [1, 2])
    between = slice(39, 51)
    assert 0.35 < doubt[0, :, between].mean() < 0.65
    assert (doubt[0, :, :25] < 0.01).all() and (doubt[0, :, 66:] < 0.01).all()
    across = 2 if level == 52 else 1  # the unit on the far side of the chosen level
    assert (other[0, :, between] == across).all()
    assert (labels[0, :, between] != across).all()

    amp[..., 52] = 0.0  # one reflector alone
    alone, _ = unit_doubt(tau, amp, seeds, [1, 2])
    assert alone[0, :, 41:].max() < 0.1  # beyond a sample or two of the reflector (the doubt's sigma)
    assert alone[0].mean() < 0.25 * doubt[0].mean()


def test_doubt_is_highest_where_a_boundary_has_lost_its_reflector():
    """Two rival peaks between the strokes, at 38 on the left half of the section and at 52 on
    the right half (equal on the flattened profile): the boundary takes 38 and keeps to it, on
    its peak on the left and on nothing on the right, where it has lost it. The rivals' doubt is
    the same on both halves; the right half's is the higher, and the left half's is still there."""
    tau = _flat()
    amp = np.zeros(tau.shape, np.float32)
    amp[0, :30, 38] = 1.0
    amp[0, 30:, 52] = 1.0
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 10:20, 28:31] = 1
    seeds[0, 40:50, 60:63] = 2
    labels = layered_labels(tau, amp, seeds, [1, 2])
    assert (labels[0, :, 37] == 1).all() and (labels[0, :, 38] == 2).all()
    doubt, _ = unit_doubt(tau, amp, seeds, [1, 2])
    between = slice(40, 50)
    left, right = doubt[0, :20, between].mean(), doubt[0, 40:, between].mean()
    assert left > 0.01
    assert right > 3 * left


def test_doubt_also_falls_where_the_strokes_would_centre_their_unit(monkeypatch):
    """Unit 2 is painted at 30, between boundaries the reflectors put at 20 and 60 (the only
    reflectors between the strokes): its strokes sit 10 samples above its layer's middle. Centred
    on them, both its boundaries move up by about 10, so the voxels just above 60 are in doubt,
    with unit 3 named across; with the reflectors alone they are not. With two units there is
    nothing to centre and the doubt is the reflectors' alone. (Every boundary holds its reflector
    here; its hold is set aside.)"""
    monkeypatch.setattr(units, "HELD_DOUBT_FLOOR", 1.0)
    tau = _flat(nt=100)
    amp = np.zeros(tau.shape, np.float32)
    amp[..., 20] = 1.0
    amp[..., 60] = 1.0
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 10:20, 8:11] = 1
    seeds[0, 30:40, 29:32] = 2
    seeds[0, 20:30, 79:82] = 3
    labels = layered_labels(tau, amp, seeds, [1, 2, 3])
    assert (labels[0, :, 59] == 2).all() and (labels[0, :, 60] == 3).all()  # on the strong reflector
    doubt, other = unit_doubt(tau, amp, seeds, [1, 2, 3])
    band = slice(52, 57)
    assert doubt[0, :, band].min() > 0.3
    assert (other[0, :, band] == 3).all() and (labels[0, :, band] == 2).all()
    assert (doubt[seeds > 0] == 0).all()  # never on what was painted, however near a rival lies
    monkeypatch.setattr(units, "CENTRING_SHARE", 0.0)
    reflectors_only, _ = unit_doubt(tau, amp, seeds, [1, 2, 3])
    assert reflectors_only[0, :, band].max() < 0.05

    two = np.where(seeds == 3, 0, seeds).astype(np.uint8)
    monkeypatch.setattr(units, "CENTRING_SHARE", 1.0)
    with_centring, _ = unit_doubt(tau, amp, two, [1, 2])
    monkeypatch.setattr(units, "CENTRING_SHARE", 0.0)
    np.testing.assert_array_equal(with_centring, unit_doubt(tau, amp, two, [1, 2])[0])


def test_a_kept_boundary_moves_only_as_far_as_a_new_stroke_contradicts_it():
    """Reflectors at 40, 45, 50 and 55 between the strokes of units 1 (28-30) and 2 (60-62). The
    first labels put the boundary on one of them; a stroke of unit 1 that only confirms it leaves it
    there (chosen afresh from the narrower gap it would move), and one that crosses it moves it to
    the nearest reflector below the stroke, not to the middle of what is left."""
    tau = _flat()
    amp = np.zeros(tau.shape, np.float32)
    for row, value in ((40, 1.0), (45, 0.6), (50, 0.8), (55, 1.0)):
        amp[..., row] = value
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 10:20, 28:31] = 1
    seeds[0, 30:40, 60:63] = 2
    first = boundary_choices(tau, amp, seeds, [1, 2]).levels[1, 2]
    assert first == 45.0  # the weighted median of the four
    confirm = seeds.copy()
    confirm[0, 45:55, 42:44] = 1  # unit 1 down to 43: the gap is 43-60, the boundary at 45 still fits
    assert boundary_choices(tau, amp, confirm, [1, 2]).levels[1, 2] != first  # afresh, it moves
    assert boundary_choices(tau, amp, confirm, [1, 2], kept={(1, 2): first}).levels[1, 2] == first  # kept, it stays
    cross = seeds.copy()
    cross[0, 45:55, 46:49] = 1  # unit 1 down to 48: past the boundary at 45
    assert boundary_choices(tau, amp, cross, [1, 2], kept={(1, 2): first}).levels[1, 2] == 50.0
    labels = layered_labels(tau, amp, cross, [1, 2], kept={(1, 2): first})
    assert (labels[0, :, 49] == 1).all() and (labels[0, :, 50] == 2).all()


def test_a_stroke_on_the_wrong_side_moves_the_boundary_there_and_fades_sideways():
    tau = _flat(nx=200)
    amp = np.zeros(tau.shape, np.float32)
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 0:200:4, 20:23] = 1
    seeds[0, 20:200:40, 60:63] = 2
    seeds[0, 100, 50:53] = 1  # unit 1 reaches deeper at trace 100 (one short stroke among many)
    _, levels = unit_boundaries(tau, amp, seeds, [1, 2])
    assert levels[0, 100, 0] > 52  # below the deep stroke of unit 1 (samples 50-52)
    assert levels[0, 0, 0] < levels[0, 90, 0] < levels[0, 100, 0]  # a smooth move, not a step
    assert abs(levels[0, 199, 0] - levels[0, 0, 0]) < 1.0  # far from it, the level is as before


def test_kinds_disjoint_intervals_are_units_and_a_shared_one_is_a_body():
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 0:20, 10:14] = 1
    seeds[0, 30:50, 24:42] = 2  # painted across its thickness
    seeds[0, 5:25, 60:64] = 3
    seeds[0, 40:50, 30:36] = 4  # a mound inside unit 2's interval
    seeds[0, 10:15, 6:68] = 5  # a channel fill cutting down through units 1 to 3
    kinds = infer_kinds(seeds, tau, 5)
    assert kinds.kinds == (UNIT, UNIT, UNIT, BODY, BODY)
    assert "class 5 is a body" in kinds.note and "class 4 is a body" in kinds.note
    assert "units top to bottom 1, 2, 3" in kinds.note


def test_a_facies_that_recurs_down_the_column_is_a_body_and_the_rest_stay_units():
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 0:15, 5:9] = 1  # sand
    seeds[0, 20:35, 25:29] = 2  # shale
    seeds[0, 40:55, 45:49] = 1  # sand again
    seeds[0, 5:20, 62:66] = 2  # shale again
    seeds[0, 10:40, 78:84] = 3  # a unit below both
    kinds = infer_kinds(seeds, tau, 3)
    assert kinds.kinds == (BODY, BODY, UNIT)
    assert "class 1 is a body (its strokes alternate with those of class 2" in kinds.note


def test_a_labelling_without_layers_still_says_what_it_decided_for_the_run_to_keep():
    """Sand and shale recur: no layers to order, the labels are the networks', and the kinds
    decided (both bodies) are returned for later labellings to keep, as when there are layers."""
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 0:15, 5:9] = 1
    seeds[0, 20:35, 25:29] = 2
    seeds[0, 40:55, 45:49] = 1
    seeds[0, 5:20, 62:66] = 2
    networks = np.ones(tau.shape, np.uint8)
    made = as_layers(networks, tau, np.zeros(tau.shape, np.float32), seeds, 2, None, None)
    assert made.units == [] and made.levels == {} and "no layers to order" in made.note
    np.testing.assert_array_equal(made.labels, networks)
    assert made.decided == {1: BODY, 2: BODY}


def test_a_class_painted_inside_a_recurring_package_is_one_more_facies_of_it():
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 0:15, 5:9] = 1  # sand, shale, sand, shale
    seeds[0, 20:35, 25:29] = 2
    seeds[0, 40:55, 45:49] = 1
    seeds[0, 5:20, 62:66] = 2
    seeds[0, 30:45, 30:40] = 3  # painted once, inside the package: it shares the recurring facies' layers
    seeds[0, 10:40, 78:84] = 4  # below the package: a unit
    kinds = infer_kinds(seeds, tau, 4)
    assert kinds.kinds == (BODY, BODY, BODY, UNIT)
    assert "class 3 is a body (its strokes share the layers of class" in kinds.note


def test_a_body_inside_a_unit_and_strokes_that_overlap_a_little_do_not_make_a_unit_recur():
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 0:15, 10:14] = 1  # unit 1 above the mound...
    seeds[0, 20:35, 34:38] = 1  # ...and below it, on other traces
    seeds[0, 40:50, 22:26] = 2  # a mound inside unit 1: enclosed, but it does not enclose unit 1
    # units 3 and 4 overlap by a few samples where their strokes are far apart (the coordinate's
    # drift), within REPEAT_MARGIN: no alternation
    seeds[0, 0:10, 50:54] = 3
    seeds[0, 12:20, 58:62] = 4
    seeds[0, 25:35, 60:64] = 3
    seeds[0, 40:50, 70:74] = 4
    kinds = infer_kinds(seeds, tau, 4)
    assert kinds.kinds[0] == UNIT and kinds.kinds[1] == BODY
    assert "recurs" not in kinds.note


def test_kinds_an_earlier_labelling_decided_survive_corrections_that_alternate():
    """Units 1 and 2 painted cleanly, then corrected at both ends of the line where the coordinate
    has drifted: the corrections put a stroke of each past one of the other's. Inferred afresh
    the two alternate and become bodies; kept from the earlier labelling they stay units."""
    tau = _flat(nx=200, nt=120)
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 80:120, 30:34] = 1
    seeds[0, 80:120, 80:84] = 2
    first = infer_kinds(seeds, tau, 2)
    assert first.kinds == (UNIT, UNIT)
    seeds[0, 0:20, 62:65] = 1  # unit 1 deeper at the left end...
    seeds[0, 180:200, 52:55] = 2  # ...and unit 2 shallower at the right end, past it
    assert infer_kinds(seeds, tau, 2).kinds == (BODY, BODY)
    kept = infer_kinds(seeds, tau, 2, kept={1: UNIT, 2: UNIT})
    assert kept.kinds == (UNIT, UNIT) and "earlier labels" in kept.note
    assert infer_kinds(seeds, tau, 2, requested=["body"], kept={1: UNIT, 2: UNIT}).kinds[0] == BODY  # said wins


def test_kinds_as_the_interpreter_sets_them_win():
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 0:20, 10:14] = 1
    seeds[0, 30:50, 30:34] = 2
    kinds = infer_kinds(seeds, tau, 2, requested=["body", "auto"])
    assert kinds.kinds == (BODY, UNIT)
    seeds[0, 30:50, 10:14] = 3  # shares class 1's interval, but class 1 is said to be a unit
    kinds = infer_kinds(seeds, tau, 3, requested=["unit"])
    assert kinds.kinds == (UNIT, UNIT, BODY)


def test_a_body_keeps_its_extent_across_two_units_and_seeds_stay():
    layered = np.zeros((1, 10, 40), np.uint8)
    layered[..., :20] = 1
    layered[..., 20:] = 2
    labels = np.full(layered.shape, 2, np.uint8)  # the networks say unit 2 everywhere but the body
    labels[0, 3:6, 10:30] = 3  # a body across the boundary at 20
    seeds = np.zeros(layered.shape, np.uint8)
    seeds[0, 8, 5] = 2  # a seed the layers disagree with stays as painted
    out = with_bodies(labels, layered, [3], seeds)
    assert (out[0, 3:6, 10:30] == 3).all()
    assert (out[0, 0:3, :20] == 1).all() and (out[0, 0:3, 20:] == 2).all()
    assert out[0, 8, 5] == 2


def test_a_class_the_networks_see_on_little_of_its_layer_is_a_body_after_all():
    layered = np.zeros((1, 40, 30), np.uint8)
    layered[..., :10], layered[..., 10:20], layered[..., 20:] = 1, 2, 3
    winner = layered.copy()
    winner[0, 8:40, 10:20] = 1  # the networks see class 2 on a fifth of its layer: a mound, not a layer
    winner[0, 30:40, 20:] = 1  # and class 3 on three quarters of its layer: a unit they partly confuse
    assert unseen_layers(layered, winner, [1, 2, 3], [], 0.3) == {2: pytest.approx(0.2)}
    assert unseen_layers(layered, winner, [1, 2, 3], [2], 0.3) == {}  # said to be a unit: it stays one
    assert unseen_layers(layered, winner, [1, 2, 3], [], 0.0) == {}  # off


def test_a_boundary_stays_on_its_reflector_where_the_coordinate_drifts_off_it():
    """Two units separated by a strong reflector that wanders 3 samples up and down, on a flat
    coordinate that missed the wander: the boundary between them follows the reflector, not the
    coordinate (and the test fails with ``follow=False``)."""
    nx, nt = 200, 100
    tau = _flat(nx, nt).astype(np.float64)
    true = 50.0 + 3.0 * np.sin(2 * np.pi * np.arange(nx) / nx)
    t = np.arange(nt)
    amp = 0.2 * np.sin(2 * np.pi * t / 7.0)[None] + np.exp(-0.5 * ((t[None] - true[:, None]) / 1.2) ** 2)
    seeds = np.zeros((1, nx, nt), np.uint8)
    seeds[0, 20:60, 30:33] = 1
    seeds[0, 120:160, 70:73] = 2
    truth = np.where(t[None] < true[:, None], 1, 2)
    wrong = {}
    for follow in (True, False):
        labels = layered_labels(tau, amp[None].astype(np.float32), seeds, [1, 2], follow=follow)
        wrong[follow] = int((labels[0] != truth).sum())
    assert wrong[True] < 0.4 * wrong[False]
