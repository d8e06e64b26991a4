"""Doubt and suggestions read a run's last prediction and never change it."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import Session
from napari_seisgrow.engine.review import doubt_map, layers, suggest
from napari_seisgrow.engine.units import infer_kinds
from napari_seisgrow.io.errors import SeisgrowError


def test_doubt_and_suggestions_come_from_the_last_prediction_and_leave_the_run_as_it_was(
    tiny_synthetic, tiny_seeds, tiny_config
):
    session = Session(tiny_synthetic.volume, tiny_seeds, tiny_config)
    with pytest.raises(SeisgrowError, match="train at least one epoch"):
        suggest(session)
    list(session.run())
    grown, winner = session.grown.copy(), session.winner.copy()
    doubt = doubt_map(session, networks=True)  # the networks' own answers count: where they disagree...
    assert doubt.shape == tiny_synthetic.volume.data.shape and doubt.dtype == np.float32
    first, second = session.net_answers(networks=False)  # known now, for these weights
    disagree = first != second  # (a tiny run's two networks may disagree almost everywhere)
    made = layers(session)  # where the labels are units as layers, the doubt is their boundaries'
    on = np.zeros(doubt.shape, bool) if made is None else made.on_units()
    assert (doubt[disagree & ~on] >= 0.5).all() and (doubt[~disagree & ~on] <= 0.5).all()  # ...at least half
    if made is not None:
        np.testing.assert_array_equal(doubt[on], made.doubt[on])
    places = suggest(session, n=3)
    assert 1 <= len(places) <= 3
    assert all(0 <= p.inline < tiny_seeds.shape[0] for p in places)
    np.testing.assert_array_equal(session.grown, grown)
    np.testing.assert_array_equal(session.winner, winner)


def _two_layers() -> tuple[np.ndarray, np.ndarray]:
    """A layered volume (8 x 24 x 48) and two units painted on inline 4, one above the other."""
    rng = np.random.default_rng(0)
    trace = np.sin(np.arange(48) / 1.5) * (1.0 + 0.5 * (np.arange(48) > 24))
    x = (trace[None, None, :] + 0.1 * rng.standard_normal((8, 24, 48))).astype(np.float32)
    seeds = np.zeros(x.shape, np.uint8)
    seeds[4, 2:20, 4:8] = 1
    seeds[4, 2:20, 38:42] = 2
    return x, seeds


def test_a_layered_run_doubts_its_boundaries_and_forgets_them_with_new_strokes(tiny_config, tmp_path):
    """Two units painted one above the other on a layered volume: the run labels them as layers,
    suggests where their boundary is in doubt, and drops that doubt once new strokes come (the
    layers came from the old ones) until the next labels."""
    x, seeds = _two_layers()
    session = Session(x, seeds, tiny_config)
    list(session.run())
    made = layers(session)
    assert made is not None and made.units == (1, 2)
    places = suggest(session, n=2, networks=False)
    assert places and all(p.source == "boundary" and sorted(p.classes) == [1, 2] for p in places)
    session.save_checkpoint(tmp_path / "ckpt")  # a resumed run knows its layers and their doubt
    resumed = Session.resume(tmp_path / "ckpt", x, seeds)
    again = layers(resumed)
    assert again is not None and again.units == (1, 2)
    np.testing.assert_array_equal(again.doubt, made.doubt)
    assert resumed.backend.levels_kept == session.backend.levels_kept and session.backend.levels_kept
    session.regrow(unit_model="off")  # labels that are not layers have no boundary doubt
    assert layers(session) is None
    assert doubt_map(session, networks=False).shape == x.shape
    session.regrow(unit_model="layered")
    assert layers(session) is not None
    more = seeds.copy()
    more[6, 2:20, 8:12] = 1
    session.update_seeds(more)
    assert layers(session) is None


def test_corrections_that_alternate_in_the_coordinate_keep_the_units_of_the_run(tiny_config, tmp_path):
    """After the first labels, strokes that would make the two units alternate (and so, inferred
    afresh, bodies) leave them units: the labels stay layers; a resumed run keeps them too."""
    x, seeds = _two_layers()
    session = Session(x, seeds, tiny_config)
    list(session.run())
    assert session.backend.kinds_kept == {1: "unit", 2: "unit"}
    more = seeds.copy()
    more[7, 18:24, 16:19] = 2  # unit 2 shallower at one corner...
    more[1, 0:6, 26:29] = 1  # ...and unit 1 deeper, past it, at the other
    assert infer_kinds(more, session.coordinate().full(), 2).kinds == ("body", "body")  # inferred afresh
    session.update_seeds(more)
    session.regrow()
    made = layers(session)
    assert made is not None and made.units == (1, 2)
    session.save_checkpoint(tmp_path / "ckpt")
    resumed = Session.resume(tmp_path / "ckpt", x, more)
    assert resumed.backend.kinds_kept == {1: "unit", 2: "unit"}


def test_a_class_erased_from_the_strokes_loses_what_the_run_kept_for_it(tiny_config):
    x, seeds = _two_layers()
    seeds[4, 2:20, 22:25] = 3  # a third unit between the two
    session = Session(x, seeds, tiny_config)
    list(session.run())
    assert session.backend.kinds_kept == {1: "unit", 2: "unit", 3: "unit"}
    assert set(session.backend.levels_kept) == {(1, 3), (3, 2)}
    erased = seeds.copy()
    erased[erased == 3] = 0  # painted again later, it is a new class: inferred afresh
    session.update_seeds(erased)
    assert session.backend.kinds_kept == {1: "unit", 2: "unit"} and session.backend.levels_kept == {}


def test_boundaries_the_centring_placed_stay_pinned_through_a_checkpoint_and_leave_with_their_class(
    tiny_config, tmp_path
):
    """Four units painted along their middles on a layered section: the run's labels pin the
    boundaries the centring placed (``units._choices``), a resumed run keeps the pins, and a unit
    whose line is moved, or a class erased, frees its boundaries."""
    rng = np.random.default_rng(1)
    x = np.zeros((1, 80, 120), np.float32)
    for row, value in ((24, 1.5), (30, 1.0), (50, 1.0), (56, 1.5), (80, 1.0), (88, 1.5)):
        x[..., row] = value
    x += 0.05 * rng.standard_normal(x.shape).astype(np.float32)
    seeds = np.zeros(x.shape, np.uint8)
    for c, centre in ((1, 15), (2, 40), (3, 65), (4, 100)):
        seeds[0, 5:35, centre - 1 : centre + 2] = c
        seeds[0, 45:75, centre - 1 : centre + 2] = c
    session = Session(x, seeds, tiny_config)
    list(session.run())
    assert session.backend.levels_pinned == {(1, 2), (2, 3), (3, 4)}
    session.save_checkpoint(tmp_path / "ckpt")
    resumed = Session.resume(tmp_path / "ckpt", x, seeds)
    assert resumed.backend.levels_pinned == session.backend.levels_pinned
    moved = seeds.copy()
    moved[0, 45:75, 39:42] = 0
    moved[0, 45:75, 35:38] = 2  # unit 2's second line erased and painted again higher up
    session.update_seeds(moved)
    assert session.backend.levels_pinned == {(3, 4)}  # its boundaries yield to the strokes again
    assert set(session.backend.levels_kept) == {(1, 2), (2, 3), (3, 4)}
    erased = seeds.copy()
    erased[erased == 4] = 0
    resumed.update_seeds(erased)
    assert resumed.backend.levels_pinned == {(1, 2), (2, 3)}
