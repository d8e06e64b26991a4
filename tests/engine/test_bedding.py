"""Strokes along the bedding as their unit's middle: which strokes are lines, when the interpreter
paints middles, and the boundaries that centre them."""

from __future__ import annotations

import numpy as np

from napari_seisgrow.engine.bedding import bedding_lines, centred_choice, paints_middles
from napari_seisgrow.engine.units import as_layers, layered_labels, unit_doubt

NX, NT = 80, 120
TRUE = (30, 50, 80)  # the boundaries between units 1-2, 2-3 and 3-4
DECOYS = (24, 56, 88)  # a stronger reflector in each gap, where the weighted median goes


def _flat() -> np.ndarray:
    return np.broadcast_to(np.arange(NT, dtype=np.float32), (1, NX, NT)).copy()


def _amplitude() -> np.ndarray:
    amp = np.zeros((1, NX, NT), np.float32)
    for t in TRUE:
        amp[..., t] = 1.0
    for t in DECOYS:
        amp[..., t] = 1.5
    return amp


def _lines(centres: dict[int, tuple[int, int]]) -> np.ndarray:
    """Two strokes per unit along the bedding, 3 samples thick, at the given centre samples."""
    seeds = np.zeros((1, NX, NT), np.uint8)
    for c, (first, second) in centres.items():
        seeds[0, 5:35, first - 1 : first + 2] = c
        seeds[0, 45:75, second - 1 : second + 2] = c
    return seeds


MIDDLES = {1: (15, 15), 2: (40, 40), 3: (65, 65), 4: (100, 100)}  # each unit's middle (the last down to NT)


def _boundaries(labels: np.ndarray) -> list[int]:
    trace = labels[0, 40]
    return [int(np.argmax(trace > c)) for c in (1, 2, 3)]


def test_a_long_thin_stroke_along_the_layers_is_a_line_and_a_scribble_across_them_is_not():
    tau = _flat()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[0, 5:35, 14:17] = 1  # along the bedding
    seeds[0, 10:40, 60:63] = 2
    for k in range(30):  # class 2 also scribbled across the layers, steeply
        seeds[0, 50 + k // 3, 70 + k : 73 + k] = 2
    lines = bedding_lines(seeds, tau, 1)
    assert len(lines) == 1
    np.testing.assert_allclose(lines[0].centre, 15.0)
    np.testing.assert_array_equal(lines[0].crossline, np.arange(5, 35))
    assert bedding_lines(seeds, tau, 2) == []  # a unit also scribbled across was not painted along its middle
    seeds[0, 5:35, 14:17] = 0
    seeds[0, 5:12, 14:17] = 3  # too short to be a line
    assert bedding_lines(seeds, tau, 3) == []
    seeds[0, 5:25, 14:17] = 3  # long enough
    assert len(bedding_lines(seeds, tau, 3)) == 1


def test_lines_of_each_unit_at_one_level_are_middles_and_lines_anywhere_in_it_are_not():
    tau = _flat()
    rooms = [(0.0, 39.0), (16.0, 64.0), (41.0, 99.0), (66.0, 119.0)]
    middles = [bedding_lines(_lines(MIDDLES), tau, c) for c in (1, 2, 3, 4)]
    assert paints_middles(middles, rooms)
    anywhere = {1: (6, 24), 2: (33, 46), 3: (55, 75), 4: (85, 112)}
    assert not paints_middles([bedding_lines(_lines(anywhere), tau, c) for c in (1, 2, 3, 4)], rooms)
    assert not paints_middles([*middles[:2], [], []], rooms)  # two units cannot tell how the interpreter paints


def test_units_painted_along_their_middles_take_the_reflectors_that_centre_them():
    """Each gap holds the interpreted reflector and a stronger one off the middle of the units:
    alone, the reflectors choose the stronger; the units' middles choose the one that puts each
    unit's strokes halfway between its boundaries."""
    tau, amp = _flat(), _amplitude()
    seeds = _lines(MIDDLES)
    centred = layered_labels(tau, amp, seeds, [1, 2, 3, 4])
    assert _boundaries(centred) == list(TRUE)
    assert (np.diff(centred[0].astype(int), axis=1) >= 0).all()
    uncentred = layered_labels(tau, amp, seeds, [1, 2, 3, 4], centre_lines=False)
    assert _boundaries(uncentred) == list(DECOYS)


def test_lines_painted_anywhere_in_their_units_leave_the_reflectors_to_choose():
    tau, amp = _flat(), _amplitude()
    seeds = _lines({1: (6, 27), 2: (36, 46), 3: (59, 69), 4: (94, 110)})  # centred, they would move a boundary
    np.testing.assert_array_equal(
        layered_labels(tau, amp, seeds, [1, 2, 3, 4]),
        layered_labels(tau, amp, seeds, [1, 2, 3, 4], centre_lines=False),
    )


def test_the_layering_says_which_units_it_took_as_painted_along_their_middles():
    tau, amp = _flat(), _amplitude()
    seeds = _lines(MIDDLES)
    labels = np.zeros(tau.shape, np.uint8)
    layering = as_layers(labels, tau, amp, seeds, 4, None, None)
    assert "classes 1, 2, 3, 4 painted along the middles of their layers" in layering.note
    assert _boundaries(layering.labels) == list(TRUE)
    anywhere = _lines({1: (6, 27), 2: (36, 46), 3: (59, 69), 4: (94, 110)})
    assert "middle" not in as_layers(labels, tau, amp, anywhere, 4, None, None).note


def test_a_line_along_an_inline_of_a_volume_is_found_on_that_inline():
    tau = np.broadcast_to(np.arange(NT, dtype=np.float32), (3, NX, NT)).copy()
    seeds = np.zeros(tau.shape, np.uint8)
    seeds[1, 5:35, 14:17] = 1
    (line,) = bedding_lines(seeds, tau, 1)
    assert (line.inline == 1).all() and line.level == 15.0


def test_a_crossline_section_finds_its_lines_and_centres_its_units_as_an_inline_does():
    tau, amp = _flat(), _amplitude()
    seeds = _lines(MIDDLES)
    across = layered_labels(tau.reshape(NX, 1, NT), amp.reshape(NX, 1, NT), seeds.reshape(NX, 1, NT), [1, 2, 3, 4])
    np.testing.assert_array_equal(across.reshape(1, NX, NT), layered_labels(tau, amp, seeds, [1, 2, 3, 4]))
    assert _boundaries(across.reshape(1, NX, NT)) == list(TRUE)


def test_a_boundary_an_earlier_labelling_placed_stays_where_it_was():
    """Strokes added to a run change only what they contradict: the boundary kept from the
    run's first labels (on the decoy, between units 1 and 2) is not chosen again; the boundary
    below it is chosen to centre unit 2 between them (its strokes at 40: 24 above, 56 below)."""
    tau, amp = _flat(), _amplitude()
    seeds = _lines(MIDDLES)
    labels = np.zeros(tau.shape, np.uint8)
    layering = as_layers(labels, tau, amp, seeds, 4, None, None, kept_levels={(1, 2): float(DECOYS[0])})
    assert _boundaries(layering.labels) == [DECOYS[0], DECOYS[1], TRUE[2]]
    assert _boundaries(as_layers(labels, tau, amp, seeds, 4, None, None).labels) == list(TRUE)


def test_the_joint_choice_keeps_the_boundaries_in_order_or_gives_up():
    tau = _flat()
    none: list = [[], [], []]
    assert centred_choice(tau, none, [(np.array([20.0, 40.0]), np.ones(2)), (np.array([30.0]), np.ones(1))]) == [
        20.0,
        30.0,
    ]  # the first boundary may not take 40, below the second
    assert centred_choice(tau, none, [(np.array([40.0]), np.ones(1)), (np.array([30.0]), np.ones(1))]) is None
    assert centred_choice(tau, none, [(np.array([]), np.ones(0)), (np.array([30.0]), np.ones(1))]) is None


def _first_boundary(labels: np.ndarray, trace: int) -> int:
    return int(np.argmax(labels[0, trace] > 1))


def test_a_boundary_the_centring_placed_moves_only_where_a_later_stroke_contradicts_it():
    """The first labels centre the units on their lines and pin those boundaries. A later stroke of
    unit 1 past its boundary (30) at the right end of the section moves the boundary there and
    leaves the left end where the centring put it; without the pin the whole boundary moves into
    what is left of the gap."""
    tau, amp = _flat(), _amplitude()
    seeds = _lines(MIDDLES)
    labels = np.zeros(tau.shape, np.uint8)
    first = as_layers(labels, tau, amp, seeds, 4, None, None)
    assert first.pinned == {(1, 2), (2, 3), (3, 4)}
    more = seeds.copy()
    more[0, 60:80, 33:36] = 1  # unit 1 down to sample 35 on traces 60-79
    pinned = as_layers(labels, tau, amp, more, 4, None, None, kept_levels=first.levels, kept_pinned=first.pinned)
    assert _first_boundary(pinned.labels, 0) == TRUE[0]
    assert _first_boundary(pinned.labels, 70) > 35
    assert pinned.levels[1, 2] == TRUE[0] and pinned.pinned == first.pinned
    loose = as_layers(labels, tau, amp, more, 4, None, None, kept_levels=first.levels)
    assert _first_boundary(loose.labels, 0) > 35  # a level with no pin moves along the whole section
    # the doubt is the labels' boundary's: its rivals gather about the pinned level, not past the stroke
    doubt, _ = unit_doubt(tau, amp, more, [1, 2, 3, 4], kept=first.levels, pinned=first.pinned)
    assert abs(int(np.argmax(doubt[0, 0, :45])) - TRUE[0]) <= 2
    unpinned, _ = unit_doubt(tau, amp, more, [1, 2, 3, 4], kept=first.levels)
    assert int(np.argmax(unpinned[0, 0, :45])) > 33


def test_a_boundary_the_reflectors_chose_is_not_pinned():
    """Lines painted anywhere in their units leave the levels to the weighted median of the
    reflectors, which later strokes may move along the whole line."""
    tau, amp = _flat(), _amplitude()
    anywhere = _lines({1: (6, 27), 2: (36, 46), 3: (59, 69), 4: (94, 110)})
    assert as_layers(np.zeros(tau.shape, np.uint8), tau, amp, anywhere, 4, None, None).pinned == frozenset()
