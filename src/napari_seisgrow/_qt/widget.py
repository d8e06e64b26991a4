"""The SeisGrow dock: paint seeds, train in the background, watch labels grow, review, export.

The dock owns no method and holds no run state: it builds one run model (``RunModel``, what the
run is doing), the viewer's layers it works on (``DockLayers``), the controllers (``RunController``
for Train, Stop, Grow and Continue; ``Review`` for overlays, suggestions and corrections;
``Previews`` for the live section) and one panel widget per job, each given the model and the
controller it shows, in collapsible sections:

- Data and classes (``DataPanel``): the seismic and seeds layers and the class table;
- Training (``TrainingPanel``): the settings and the buttons that start and steer a run;
- Review (``ReviewPanel``): confidence, doubt, the coordinate, suggestions and corrections;
- Files (``FilesPanel``): autosave, export, save and load;

with the status line and the epoch bar (``StatusPanel``) always in view. Train, Stop, Grow and
Next suggestion have napari shortcuts (``shortcuts``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtpy.QtCore import Qt
from qtpy.QtWidgets import QFrame, QScrollArea, QSizePolicy, QVBoxLayout, QWidget
from superqt import QCollapsible

from ..classes import ClassTable
from ..engine.nearest import warm_up_in_background
from .data_panel import DataPanel
from .dock_layers import CONFIDENCE_NAME, GROWN_NAME, WORK_SUFFIX, DockLayers, Picks
from .files_panel import FilesPanel
from .preview import Previews
from .review import Review
from .review_panel import ReviewPanel
from .run_controller import PREPARE_WAIT_S, PROGRESS_DELAY_MS, RunController
from .run_model import RunModel
from .settings import SettingsPanel
from .shortcuts import register
from .status_panel import StatusPanel
from .training_panel import LEARN_BY_DEFAULT, TrainingPanel

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

SECTIONS = ("Data and classes", "Training", "Review", "Files")
COLLAPSED = ("Review",)  # opened when there is something to review


class SeisGrowWidget(QWidget):
    """The dock: its parts are public so a script (or a test) can drive them as a user would."""

    def __init__(self, napari_viewer: napari.viewer.Viewer) -> None:
        super().__init__()
        self.viewer = napari_viewer
        self.model = RunModel()
        self.model.status_text = "Paint seeds for at least two classes, then Train."
        self.layers = DockLayers(napari_viewer, ClassTable.default(2), Picks())
        self.data = DataPanel(self.layers, self.model)
        self.settings = SettingsPanel()
        self.review = Review(self.layers, self.model, on_painted=self.data.seeds_painted)
        self.previews = Previews(self.layers, self.model)
        self.files = FilesPanel(self.layers, self.model, self.data, self.settings, adopt=self._adopt)
        self.run = RunController(self, self.layers, self.model, self.data, self.settings, self.review,
                                 self.previews, self.files)  # fmt: skip
        self.training = TrainingPanel(self.model, self.settings, self.run)
        self.reviewing = ReviewPanel(self.model, self.review)
        self.status = StatusPanel(self.model)
        self.model.counts.connect(self.data.class_table.set_counts)
        self._build()
        register(napari_viewer, self)
        self.data.refresh()
        # the completion's compiled fill, loaded now rather than in the middle of the first run,
        # where loading it held the GIL long enough to stall the viewer for 0.1 s
        warm_up_in_background()

    def _build(self) -> None:
        body = QWidget()
        body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never wider than the dock
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        self.sections: dict[str, QCollapsible] = {}
        for title, panel in zip(SECTIONS, (self.data, self.training, self.reviewing, self.files), strict=True):
            section = QCollapsible(title)
            section.addWidget(panel)
            if title not in COLLAPSED:
                section.expand(animate=False)
            inner.addWidget(section)
            self.sections[title] = section
        inner.addStretch(1)
        scroll = QScrollArea()  # a short screen scrolls the sections; the status stays in view
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the sections fit the dock's width
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        self.model.changed.connect(self._open_review)

    def _adopt(self, session) -> None:
        self.run.adopt(session)

    def _open_review(self) -> None:
        if self.model.suggestions and not self.sections["Review"].isExpanded():
            self.sections["Review"].expand(animate=False)

    def shortcut(self, name: str) -> None:
        """What a napari shortcut of ours does in this dock."""
        {"train": self.run.start_training, "stop": self.run.stop_training, "grow": self.run.regrow,
         "next_suggestion": self.review.next_suggestion}[name]()  # fmt: skip

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Stop a running training and wait for its thread, so nothing outlives the viewer."""
        self.run.shutdown(timeout_ms)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
