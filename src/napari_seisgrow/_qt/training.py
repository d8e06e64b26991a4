"""The background half of training: a generator run by napari's thread_worker.

It never touches a layer or a widget. For each epoch it yields the report together with the
range of inlines whose labels changed, worked out here so that the GUI thread only copies that
slab into the grown layer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.backend_blockwise import Blockwise
from ..engine.channels import StratGrid
from ..engine.config import GrowConfig
from ..engine.factory import open_session
from ..engine.report import EpochReport, Preview, Swept
from ..engine.review import doubt_map, suggest
from ..engine.session import Session
from ..engine.suggest import Suggestion
from ..io.errors import SeisgrowError


@dataclass
class Update:
    report: EpochReport
    changed: tuple[int, int] | None  # [start, stop) of inlines that differ from the previous labels
    confidence: np.ndarray | None = None  # float32, made here only while the confidence layer is wanted
    autosave_error: str | None = None  # why this epoch's autosave failed (training goes on)
    replace: bool = False  # a blockwise run's labels: show the new Zarr store rather than copy inlines
    suggestions: list[Suggestion] | None = None  # where to paint next, best first (None: not available)
    doubt: np.ndarray | None = None  # float32 0..1, made here only while the doubt layer is wanted
    suggestion_error: str | None = None  # why this epoch has no suggestions (its labels are shown all the same)


def changed_inlines(old: np.ndarray | None, new: np.ndarray) -> tuple[int, int] | None:
    if old is None or old.shape != new.shape:
        return (0, new.shape[0])
    rows = np.flatnonzero((old != new).reshape(new.shape[0], -1).any(axis=1))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1


class TrainingError(Exception):
    """Any failure inside training, re-raised under a type the thread worker reports as an error.

    superqt treats a RuntimeError escaping a worker as "the worker was deleted" and only warns,
    but torch raises RuntimeError for real faults (CUDA out of memory among them).
    """


Autosave = Callable[[Session], object]


def build_and_train(
    volume: Any,
    seeds: np.ndarray,
    config: GrowConfig,
    shown: np.ndarray | None,
    want_confidence: Callable[[], bool] = lambda: False,
    autosave: Autosave | None = None,
    stop_event: threading.Event | None = None,
    blockwise: Blockwise | None = None,
    strat: StratGrid | Callable[[], StratGrid | None] | None = None,
    pretrained: Callable[[], Any] | None = None,
    want_doubt: Callable[[], bool] = lambda: False,
    shown_section: Callable[[], tuple[int, int] | None] | None = None,
):
    """Build the session here, off the GUI thread (normalising a big volume, solving the
    stratigraphic coordinate and initialising torch take seconds), yield it, then train.
    ``blockwise``: the volume is too big for memory; ``strat``: the coordinate, when already known
    (or a callable that waits for the widget's background solve and gives it);
    ``pretrained``: gives the weights of the background pretraining (waiting for it to end), or None."""
    try:
        if callable(strat):
            strat = strat()  # waits here, off the GUI thread, for a background solve on its way
            if stop_event is not None and stop_event.is_set():
                return  # stopped while waiting: no session, the labels shown stay as they are
        weights = pretrained() if pretrained is not None else None
        session = open_session(volume, seeds, config, work=blockwise, blockwise=blockwise is not None,
                               stop_event=stop_event, strat=strat, pretrained=weights)  # fmt: skip
    except SeisgrowError:
        raise
    except Exception as exc:
        raise TrainingError(one_line(exc)) from exc
    yield session
    yield from train(session, shown, want_confidence, autosave, want_doubt, shown_section)


def one_line(exc: BaseException) -> str:
    if isinstance(exc, (SeisgrowError, TrainingError)):
        return str(exc)  # already one line, written for the user
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def confidence_image(session: Session) -> np.ndarray | None:
    """The winning class's probability as float32 (the GPU cannot draw float16 textures)."""
    return None if session.confidence is None else session.confidence.astype(np.float32)


def where_next(session: Session, want_doubt: bool) -> tuple[list[Suggestion] | None, np.ndarray | None, str | None]:
    """Suggestions (and the doubt map when wanted) after an epoch, here in the worker, and why there
    are none when ranking failed. Mid-run they come from the ensemble's confidence alone; once the
    run is done, the networks' disagreement too.

    Never costs the epoch: if ranking fails (e.g. the networks' separate passes run out of
    memory), the epoch's labels are shown without suggestions, and the reason goes to the user."""
    if session.labels_on_disk or session.winner is None:
        return None, None, None  # a blockwise run keeps no whole-volume prediction in memory
    try:
        places = suggest(session, networks=session.done and not session.stopping)
        return places, (doubt_map(session, networks=False) if want_doubt else None), None
    except Exception as exc:  # any failure here must not stop training; it is reported instead
        return None, None, one_line(exc)


def train(
    session: Session,
    shown: np.ndarray | None,
    want_confidence: Callable[[], bool] = lambda: False,
    autosave: Autosave | None = None,
    want_doubt: Callable[[], bool] = lambda: False,
    shown_section: Callable[[], tuple[int, int] | None] | None = None,
) -> Iterator[Update | Preview | Swept]:
    """Run the session's remaining epochs; ``shown`` is what the grown layer displays now.

    ``autosave`` runs here, in the worker, after every epoch: a full disk or a read-only folder
    is reported with the epoch and never stops training. ``shown_section`` says which section
    the viewer displays (read from the GUI thread's last note of it, never from a layer): the
    networks' labels there are yielded as ``Preview`` items a few steps apart within each epoch,
    and the epoch's whole-volume pass as ``Swept`` items, that section first.
    """
    previous = shown
    if shown_section is not None and not session.labels_on_disk:
        session.preview_request = shown_section
    try:
        for report in session.run():
            if isinstance(report, (Preview, Swept)):
                yield report
                continue
            conf = confidence_image(session) if want_confidence() else None
            # before the autosave: a finished run's checkpoint then keeps each network's answer
            places, doubt_map, no_places = where_next(session, want_doubt())
            failed = None
            if autosave is not None:
                try:
                    autosave(session)
                except (OSError, SeisgrowError) as exc:
                    failed = one_line(exc)
            if not isinstance(report.grown, np.ndarray):
                yield Update(report, None, conf, failed, replace=True)
                continue
            yield Update(
                report, changed_inlines(previous, report.grown), conf, failed, False, places, doubt_map, no_places
            )
            previous = report.grown
    except SeisgrowError:
        raise
    except Exception as exc:
        raise TrainingError(one_line(exc)) from exc
    finally:
        session.preview_request = None  # the session may be used without a viewer later (export, regrow)
