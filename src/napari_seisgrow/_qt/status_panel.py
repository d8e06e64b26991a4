"""The status line and the epoch bar, always in view at the foot of the dock."""

from __future__ import annotations

from qtpy.QtCore import Qt
from qtpy.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from .run_model import RunModel

STATUS_LINES = 6  # room for a progress text with several classes, without reflowing the window


class StatusPanel(QWidget):
    """Shows what the run model says, as it says it."""

    def __init__(self, model: RunModel) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m epochs")
        layout.addWidget(self.progress)
        self.status = QLabel("Paint seeds for at least two classes, then Train.")
        self.status.setWordWrap(True)
        # a fixed height: a status that wraps onto a new line would relayout the whole window
        self.status.setFixedHeight(self.status.fontMetrics().lineSpacing() * STATUS_LINES + 4)
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        model.status.connect(self._say)
        model.progress.connect(self._progress)

    def _say(self, text: str) -> None:
        """The text, and the same as the tooltip: what overflows the fixed height (the layered
        model's reasons for each kind, after many classes) is read by hovering."""
        self.status.setText(text)
        self.status.setToolTip(text)

    def _progress(self, value: int, maximum: int) -> None:
        self.progress.setMaximum(maximum)
        self.progress.setValue(value)
