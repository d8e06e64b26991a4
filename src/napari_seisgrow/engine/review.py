"""Doubt and suggestions from a run's last prediction: where the labels are unsure, and where one
more stroke should help most (``engine.suggest`` ranks; this reads the run).

Kept apart from the session, which trains: these only read what its last epoch left (the
winners, the confidence, the networks' own answers) and never change it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..io.errors import SeisgrowError
from .session import Session
from .suggest import Layers, Suggestion, doubt, suggest_places


def _trained(session: Session) -> None:
    if session.winner is None or session.confidence is None:
        raise SeisgrowError("nothing to suggest yet: train at least one epoch")


def layers(session: Session) -> Layers | None:
    """The run's units as ordered layers with the doubt of their boundaries, when its last
    completion made layers (an in-memory run with ``unit_model="layered"`` and two units or more)."""
    got = session.backend.unit_doubt(lambda: session.coordinate().full(), session.grown)
    if got is None:
        return None
    return Layers(np.asarray(session.grown), tuple(session.backend.units), *got)


def doubt_map(session: Session, networks: bool = True) -> np.ndarray:
    """Per voxel 0 (sure) .. 1 (no idea), float32 (``engine.suggest.doubt``); with ``networks``,
    the two networks' disagreement counts too (one inference pass each, unless already known).
    Where the labels are units as ordered layers, the doubt of their boundaries instead."""
    _trained(session)
    nets = session.net_answers(networks)
    values = doubt(session.confidence, session.n_classes, None if not nets else nets[0] != nets[1])
    made = layers(session)
    return values if made is None else made.merged(values)


def suggest(session: Session, n: int = 10, networks: bool = True, **options: Any) -> list[Suggestion]:
    """The ``n`` places where one more stroke should help most (``engine.suggest.suggest_places``)."""
    _trained(session)
    nets = session.net_answers(networks)
    return suggest_places(session.winner, session.confidence, session.seeds, session.n_classes, nets,
                          live=session.live, n=n, layers=layers(session), **options)  # fmt: skip
