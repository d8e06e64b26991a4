"""Doubt and suggestions read a run's last prediction and never change it."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import Session
from napari_seisgrow.engine.review import doubt_map, suggest
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
    assert (doubt[disagree] >= 0.5).all() and (doubt[~disagree] <= 0.5).all()  # ...the doubt is at least half
    places = suggest(session, n=3)
    assert 1 <= len(places) <= 3
    assert all(0 <= p.inline < tiny_seeds.shape[0] for p in places)
    np.testing.assert_array_equal(session.grown, grown)
    np.testing.assert_array_equal(session.winner, winner)
