"""The SeisGrow dock widget: paint seeds, train in the background, watch labels grow, export.

The widget owns no method: it copies the seeds, builds an engine Session, runs it in a napari
thread worker and applies each yielded report to a "grown" Labels layer on the GUI thread.
It is an assembly of parts, one job per module:

- ``panel``: the controls and their layout;
- ``layer_picker``: the seismic and seeds layers, new seeds layers, the class table;
- ``display``: the grown, confidence and stratigraphic-coordinate layers;
- ``run_controller``: Train, Stop, Grow, Continue, background pretraining, closing;
- ``files``: autosave, export, save and load;
- ``suggestions``: the doubt layer and "Next suggestion";
- ``corrections``: corrections painted over the grown labels, used as seeds;
- ``preview``: the networks' labels on the displayed section, a few steps apart while training.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from napari.layers import Image, Labels
from napari.qt.threading import GeneratorWorker
from napari.utils.notifications import show_error
from qtpy.QtCore import QTimer
from qtpy.QtWidgets import QWidget

from ..classes import ClassTable
from ..engine.session import Session
from .corrections import CorrectionsMixin
from .display import CONFIDENCE_NAME, GROWN_NAME, DisplayMixin
from .files import FilesMixin
from .layer_picker import WORK_SUFFIX, LayerPickerMixin
from .panel import LEARN_BY_DEFAULT, PanelMixin
from .prepare import Preparation
from .preview import PreviewMixin
from .run_controller import PREPARE_WAIT_S, PROGRESS_DELAY_MS, RunControllerMixin
from .strat_layer import StratLayer
from .suggestions import SuggestionsMixin

if TYPE_CHECKING:
    import napari

__all__ = [
    "CONFIDENCE_NAME",
    "GROWN_NAME",
    "LEARN_BY_DEFAULT",
    "PREPARE_WAIT_S",
    "PROGRESS_DELAY_MS",
    "WORK_SUFFIX",
    "SeisGrowWidget",
]


class SeisGrowWidget(
    PanelMixin, LayerPickerMixin, DisplayMixin, RunControllerMixin, FilesMixin, SuggestionsMixin, CorrectionsMixin,
    PreviewMixin, QWidget,
):  # fmt: skip
    def __init__(self, napari_viewer: napari.viewer.Viewer) -> None:
        super().__init__()
        self.viewer = napari_viewer
        self.classes = ClassTable.default(2)
        self.session: Session | None = None
        self.worker: GeneratorWorker | None = None
        self.grown_layer: Labels | None = None
        self.confidence_layer: Image | None = None
        self.doubt_layer: Image | None = None
        self.corrections_layer: Labels | None = None
        self.suggestion_layer = None  # a Shapes layer outlining the current suggestion
        self.suggestions = []
        self._suggestion_index = 0
        self._corrected = 0  # corrected voxels in the seeds of the run being started
        self.autosave_found: Path | None = None
        self.autosave_folder: Path | None = None
        self._offered: set[Path] = set()
        self._autosave_warned = False
        self._suggestion_warned: str | None = None
        self._stop_event = threading.Event()
        self._watched_window: weakref.ref | None = None
        self._closing = False
        self._pending_report = None
        self._progress_timer = QTimer(self)  # a child: it dies with the widget, holding nothing alive
        self._progress_timer.setSingleShot(True)
        self._progress_timer.timeout.connect(self._show_progress)
        self.seeds_changed = False
        self._stop_requested = False
        self._watched: Labels | None = None
        self.strat = StratLayer(self.viewer, self._labels_kwargs, show_error, lambda: self._refresh_layers())
        self.prepare = Preparation(self._show_preparation, self.strat.keep)
        self._build()
        self._init_preview()
        for ev in (self.viewer.layers.events.inserted, self.viewer.layers.events.removed):
            ev.connect(self._refresh_layers)

        self._refresh_layers()
