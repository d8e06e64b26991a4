"""The review panel: confidence, doubt and the coordinate over the seismic, where to paint next,
and corrections painted over the grown labels."""

from __future__ import annotations

from qtpy.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from .buttons import button_row
from .review import Review
from .run_model import RunModel


class ReviewPanel(QWidget):
    """Boxes that show the review layers and the buttons that step through the suggestions."""

    def __init__(self, model: RunModel, review: Review) -> None:
        super().__init__()
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.confidence_box = self._box(layout, "Show confidence layer",
                                        "The winning class's probability per voxel, updated every epoch",
                                        "want_confidence", review.show_confidence)  # fmt: skip
        self.doubt_box = self._box(layout, "Show doubt layer",
                                   "Where the labels are doubtful (the networks disagree or the winner barely wins): "
                                   "0 sure, 1 no idea", "want_doubt", review.show_doubt)  # fmt: skip
        self.strat_box = self._box(layout, "Show stratigraphic coordinate",
                                   "Where each voxel sits in the layering, as the method sees it: the stripes should "
                                   "run along the reflectors", "want_strat", review.show_strat)  # fmt: skip
        self.next_btn, self.correct_btn, self.accept_btn = button_row(
            layout,
            ("Next suggestion", review.next_suggestion, "Go to the place where one more stroke should help most"),
            ("Correct labels", review.start_correcting,
             "Paint the right class over wrong grown labels; the next training uses the corrections as seeds"),
            ("Accept", review.accept_corrections, "Accept corrections: copy them into your seeds layer"),
        )  # fmt: skip
        model.changed.connect(self.follow)
        self.follow()

    def _box(self, layout: QVBoxLayout, text: str, tip: str, want: str, show) -> QCheckBox:
        box = QCheckBox(text)
        box.setToolTip(tip)
        box.toggled.connect(lambda on: setattr(self.model, want, bool(on)))  # read by the worker as a plain bool
        box.toggled.connect(show)
        layout.addWidget(box)
        return box

    def follow(self) -> None:
        m = self.model
        self.next_btn.setEnabled(bool(m.suggestions))
        self.next_btn.setToolTip(
            f"{len(m.suggestions)} places ranked after the last epoch" if m.suggestions else "no doubtful place yet"
        )
        self.correct_btn.setEnabled(m.has_model)
        self.accept_btn.setEnabled(not m.running)
