"""Where to paint next, on hand-made predictions whose doubtful spots are known."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine.suggest import doubt, rank_places

SHAPE = (20, 96, 96)


def _sure(value: float = 0.95) -> np.ndarray:
    return np.full(SHAPE, value, np.float32)


def _inside(s, inline: int, trace: int, sample: int) -> bool:
    return s.inline == inline and s.traces[0] <= trace < s.traces[1] and s.samples[0] <= sample < s.samples[1]


def test_doubt_is_zero_when_sure_one_when_uniform_and_counts_disagreement():
    conf = np.array([1.0, 0.25, 0.625], np.float32)
    np.testing.assert_allclose(doubt(conf, 4), [0.0, 1.0, 0.5])
    disagree = np.array([True, False, True])
    np.testing.assert_allclose(doubt(conf, 4, disagree), [0.5, 0.5, 0.75])


def test_the_known_doubtful_spot_ranks_first():
    conf = _sure()
    conf[12, 64:96, 32:64] = 0.4  # one window where the winner barely wins
    conf[3, 0:32, 0:32] = 0.7  # a milder one
    winner = np.ones(SHAPE, np.uint8)
    winner[12, 64:96, 32:44] = 3  # the minority class is named second
    places = rank_places(doubt(conf, 4), np.zeros(SHAPE, np.uint8), winner, n=5)
    assert _inside(places[0], 12, 80, 40)
    assert places[0].classes == (1, 3)
    assert _inside(places[1], 3, 10, 10)
    assert places[0].score > places[1].score


def test_places_next_to_seeds_are_not_suggested():
    conf = _sure()
    conf[12, 64:96, 32:64] = 0.4
    conf[3, 0:32, 0:32] = 0.7
    seeds = np.zeros(SHAPE, np.uint8)
    seeds[13, 70:75, 40] = 2  # a stroke on the next inline, right beside the doubtful spot
    places = rank_places(doubt(conf, 4), seeds, np.ones(SHAPE, np.uint8), n=5)
    assert not any(abs(p.inline - 12) <= 2 and p.traces[0] >= 32 for p in places)
    assert _inside(places[0], 3, 10, 10)


def test_suggestions_are_spread_out():
    shape = (40, 160, 160)
    conf = np.full(shape, 0.5, np.float32)  # doubt everywhere, slightly more in one corner
    conf[8:12, 0:64, 0:64] = 0.45
    places = rank_places(doubt(conf, 4), np.zeros(shape, np.uint8), np.ones(shape, np.uint8), n=8)
    assert len(places) == 8
    assert _inside(places[0], 8, 0, 0) or places[0].inline in range(8, 12)
    for a in range(len(places)):
        for b in range(a):
            p, q = places[a], places[b]
            close_inline = abs(p.inline - q.inline) <= 4
            close_window = abs(p.traces[0] - q.traces[0]) <= 32 and abs(p.samples[0] - q.samples[0]) <= 32
            assert not (close_inline and close_window), (p, q)


def test_disagreeing_networks_name_the_two_classes_and_say_why():
    conf = _sure(0.9)
    winner = np.full(SHAPE, 2, np.uint8)
    other = winner.copy()
    other[5, 32:64, 32:64] = 5
    other[5, 32:40, 32:64] = 4  # a minority pair
    places = rank_places(doubt(conf, 5, winner != other), np.zeros(SHAPE, np.uint8), winner, other=other, n=3)
    first = places[0]
    assert _inside(first, 5, 40, 40)
    assert first.classes == (2, 5)
    assert first.disagreement == pytest.approx(1.0)
    assert first.reason({2: "chaotic", 5: "channel fill"}) == "networks disagree on 100% here: chaotic vs channel fill"


def test_dead_traces_and_a_sure_volume_give_no_suggestion():
    conf = _sure(1.0)
    conf[0, 0:32, 0:32] = 0.3
    live = np.ones(SHAPE, bool)
    live[0, 0:32, :] = False  # the only doubtful window is dead traces
    assert rank_places(doubt(conf, 3), np.zeros(SHAPE, np.uint8), np.ones(SHAPE, np.uint8), live=live) == []


def test_a_single_section_works():
    conf = np.full((1, 200, 120), 0.9, np.float32)
    conf[0, 150:180, 90:110] = 0.35
    (first,) = rank_places(doubt(conf, 3), np.zeros(conf.shape, np.uint8), np.ones(conf.shape, np.uint8), n=1)
    assert _inside(first, 0, 160, 100)
    assert first.to_dict()["centre"] == [0, *first.centre[1:]]


def test_doubt_on_a_boundary_itself_does_not_outrank_a_broadly_doubtful_place():
    """Every inline has a sharp boundary between classes 1 and 2 whose own voxels are doubtful
    (small margin exactly there); one window is doubtful throughout. The broad doubt is suggested;
    counting the boundary's own voxels (edge=0) would put the boundary first."""
    conf = _sure()
    winner = np.ones(SHAPE, np.uint8)
    winner[:, :, 48:] = 2
    conf[:, :, 46:50] = 0.3  # the boundary's own band: very doubtful, four samples thick
    conf[7, 0:32, 0:32] = 0.88  # a window where the winner is a little unsure, throughout
    (first,) = rank_places(doubt(conf, 4), np.zeros(SHAPE, np.uint8), winner, n=1)
    assert _inside(first, 7, 10, 10)
    (plain,) = rank_places(doubt(conf, 4), np.zeros(SHAPE, np.uint8), winner, n=1, edge=0)
    assert 32 <= plain.samples[0] <= 48


def test_a_second_confusion_is_suggested_before_the_first_one_again():
    conf = _sure()
    winner = np.ones(SHAPE, np.uint8)
    winner[:, :, :48] = 2
    for inline in (0, 6, 12, 18):  # classes 1 and 2 confused in windows on four inlines
        conf[inline, 0:32, 32:64] = 0.5
    winner[9, 64:96, 0:32] = 3
    winner[9, 64:96, 16:32] = 4
    conf[9, 64:96, 0:32] = 0.55  # classes 3 and 4 confused once, a little less doubtful
    places = rank_places(doubt(conf, 4), np.zeros(SHAPE, np.uint8), winner, n=3)
    assert set(places[0].classes) == {1, 2}
    assert set(places[1].classes) == {3, 4}
    again = rank_places(doubt(conf, 4), np.zeros(SHAPE, np.uint8), winner, n=5)
    assert [set(p.classes) for p in again].count({1, 2}) == 4  # the first confusion's other places follow


def test_a_window_is_a_boundary_suggestion_where_most_of_its_doubt_is_a_unit_boundary_s():
    """Units 1 and 2 are layers, class 3 a body. A window with a few unit voxels holding most of its
    doubt names the boundary and the unit across it; a window mostly of unit voxels whose doubt is
    on its body voxels is the networks', with their share counted on the body voxels only."""
    values = np.zeros(SHAPE, np.float32)
    labels = np.ones(SHAPE, np.uint8)
    labels[:, :, 48:] = 2
    other = np.where(labels == 1, 2, 1).astype(np.uint8)  # across the boundary
    boundary = np.ones(SHAPE, bool)
    # inline 4: a body patch with little doubt beside a strip of doubtful unit voxels
    labels[4, 0:32, 0:24] = 3
    boundary[4, 0:32, 0:24] = False
    other[4, 0:32, 0:24] = 3  # the networks agree there
    values[4, 0:32, 0:24] = 0.1
    values[4, 0:32, 24:32] = 0.9
    # inline 14: mostly unit voxels with no doubt, and a small body patch where the networks disagree
    labels[14, 64:96, 64:72] = 3
    boundary[14, 64:96, 64:72] = False
    other[14, 64:96, 64:72] = 1
    values[14, 64:96, 64:72] = 0.95
    places = rank_places(values, np.zeros(SHAPE, np.uint8), labels, other=other, boundary=boundary, n=2, edge=0)
    by_inline = {p.inline: p for p in places}
    unit = by_inline[4]
    assert unit.source == "boundary" and unit.classes == (1, 2) and unit.disagreement is None
    assert "boundary between" in unit.reason()
    body = by_inline[14]
    assert body.source == "networks" and body.classes == (1, 3)
    assert body.disagreement == pytest.approx(1.0)  # all of its body voxels, none of its unit voxels
