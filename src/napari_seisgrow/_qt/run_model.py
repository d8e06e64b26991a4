"""The run as the dock shows it: the session, whether a worker runs, new seeds, suggestions, status.

One object holds the state every panel reads, and says when it changes; the panels observe it and
the controllers change it, so no panel reads another panel's attributes (as napari-animation's
widgets each observe the ``Animation`` they are given).
"""

from __future__ import annotations

import threading
from typing import Any

from qtpy.QtCore import QObject, Signal

from ..engine.session import Session
from ..engine.suggest import Suggestion


class RunModel(QObject):
    """What the run is doing now; ``changed`` fires when what the buttons depend on changes."""

    changed = Signal()  # session, worker, new seeds or suggestions: which buttons are live
    status = Signal(str)  # one message for the status line
    progress = Signal(int, int)  # epochs done, epochs in all
    device = Signal(str)  # where the run trains
    counts = Signal(dict, dict)  # per class: voxels grown beyond the seeds, share of the volume

    def __init__(self) -> None:
        super().__init__()
        self.session: Session | None = None
        self.worker: Any = None  # the napari worker training or growing, or None
        self.seeds_changed = False  # painted since the networks last trained
        self.suggestions: list[Suggestion] = []
        self.suggestion_index = 0
        self.corrected = 0  # corrected voxels in the seeds of the run being started
        self.stop_event = threading.Event()  # set by Stop or by closing, even before a session exists
        self.stop_requested = False
        self.closing = False
        self.status_text = ""
        self.growing = False  # a Grow runs (it is not stopped half-way)
        # what the panels' boxes ask for: plain bools the GUI thread sets and the worker reads
        self.want_confidence = False
        self.want_doubt = False
        self.want_strat = False
        self.learn = False  # learn the volume in the background while the user paints

    @property
    def running(self) -> bool:
        return self.worker is not None

    @property
    def has_model(self) -> bool:
        """Trained networks to grow from, continue or review."""
        return self.session is not None and self.session.winner is not None

    def set_session(self, session: Session | None) -> None:
        self.session = session
        self.changed.emit()

    def set_worker(self, worker: Any) -> None:
        self.worker = worker
        self.changed.emit()

    def set_seeds_changed(self, changed: bool) -> None:
        if changed != self.seeds_changed:
            self.seeds_changed = changed
            self.changed.emit()

    def set_suggestions(self, places: list[Suggestion] | None) -> None:
        """New places after an epoch ("Next suggestion" starts from the best one); None keeps them."""
        if places is None:
            return
        self.suggestions, self.suggestion_index = list(places), 0
        self.changed.emit()

    def say(self, text: str) -> None:
        self.status_text = text
        self.status.emit(text)

    def corrections_note(self) -> str:
        return f"\n{self.corrected} corrected voxels used as seeds" if self.corrected else ""
