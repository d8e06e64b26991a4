"""The panel's layout: every control of the dock widget, and which of them a running training disables."""

from __future__ import annotations

from typing import Any

from qtpy.QtCore import Qt
from qtpy.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)
from superqt import QCollapsible

from .classes_table import ClassTableWidget
from .settings import SettingsPanel

LEARN_BY_DEFAULT = False  # pretraining in the background while painting (see docs/benchmarks.md)


class Flag:
    """A checkbox's state for the training worker: set on the GUI thread by the box's signal, read
    from the worker as a plain bool (the worker never touches a widget)."""

    def __init__(self, box: QCheckBox) -> None:
        self.value = box.isChecked()
        box.toggled.connect(self._set)

    def _set(self, on: bool) -> None:
        self.value = bool(on)

    def __call__(self) -> bool:
        return self.value


def _button_row(layout: QVBoxLayout, *specs: tuple[str, Any, str]) -> list[QPushButton]:
    """A row of buttons: (text, slot, tooltip) each."""
    row = QHBoxLayout()
    buttons = []
    for text, slot, tip in specs:
        button = QPushButton(text)
        button.clicked.connect(slot)
        if tip:
            button.setToolTip(tip)
        row.addWidget(button)
        buttons.append(button)
    layout.addLayout(row)
    return buttons


class PanelMixin:
    """Builds the controls; the other parts of the widget connect to them by name."""

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.image_combo = QComboBox()
        self.image_combo.currentIndexChanged.connect(self._offer_autosave)
        self.image_combo.currentIndexChanged.connect(self._maybe_prepare)
        self.image_combo.currentIndexChanged.connect(lambda *_: self._set_suggestions([]))  # another volume
        self.seeds_combo = QComboBox()
        self.seeds_combo.currentIndexChanged.connect(self._watch_seeds)
        self.new_seeds_btn = QPushButton("New seeds layer")
        self.new_seeds_btn.clicked.connect(self.new_seeds_layer)
        grid.addWidget(QLabel("Seismic"), 0, 0)
        grid.addWidget(self.image_combo, 0, 1, 1, 2)
        grid.addWidget(QLabel("Seeds"), 1, 0)
        grid.addWidget(self.seeds_combo, 1, 1)
        grid.addWidget(self.new_seeds_btn, 1, 2)
        layout.addLayout(grid)

        box = QGroupBox("Classes")
        box_layout = QVBoxLayout(box)
        self.class_table = ClassTableWidget(self.classes, self._apply_colours)
        add = QPushButton("Add class")
        add.clicked.connect(self.add_class)
        box_layout.addWidget(self.class_table)
        box_layout.addWidget(add)
        layout.addWidget(box)

        self.settings = SettingsPanel()
        layout.addWidget(self.settings.basic.native)
        self.device_label = QLabel("device: not started")
        layout.addWidget(self.device_label)
        self.advanced = QCollapsible("Advanced")
        self.advanced.addWidget(self.settings.advanced.native)
        layout.addWidget(self.advanced)

        self.train_btn, self.stop_btn, self.grow_btn = _button_row(
            layout,
            ("Train", self.start_training, ""),
            ("Stop", self.stop_training, ""),
            ("Grow", self.regrow, "Re-grow from the last prediction with the current thresholds (no training)"),
        )
        self.restart_btn = QPushButton("Continue with new seeds")
        self.restart_btn.setToolTip("The seeds changed: continue training the current networks on them")
        self.restart_btn.clicked.connect(self.continue_with_new_seeds)
        layout.addWidget(self.restart_btn)
        self.autosave_box = QCheckBox("Autosave every epoch")
        self.autosave_box.setChecked(True)
        self.autosave_box.setToolTip("Seeds, grown labels and model, beside the source file or in your data folder")
        layout.addWidget(self.autosave_box)
        self.restore_btn = QPushButton("Restore autosave")
        self.restore_btn.clicked.connect(self.restore_autosave)
        self.restore_btn.setVisible(False)
        layout.addWidget(self.restore_btn)
        self.confidence_box = QCheckBox("Show confidence layer")
        self.confidence_box.setToolTip("The winning class's probability per voxel, updated every epoch")
        self.confidence_box.toggled.connect(self._confidence_toggled)
        self._want_confidence = Flag(self.confidence_box)
        layout.addWidget(self.confidence_box)
        self.doubt_box = QCheckBox("Show doubt layer")
        self.doubt_box.setToolTip(
            "Where the labels are doubtful (the networks disagree or the winner barely wins): 0 sure, 1 no idea"
        )
        self.doubt_box.toggled.connect(self._doubt_toggled)
        self._want_doubt = Flag(self.doubt_box)
        layout.addWidget(self.doubt_box)
        self.next_btn, self.correct_btn, self.accept_btn = _button_row(
            layout,
            ("Next suggestion", self.next_suggestion, "Go to the place where one more stroke should help most"),
            ("Correct labels", self.start_correcting,
             "Paint the right class over wrong grown labels; the next training uses the corrections as seeds"),
            ("Accept corrections", self.accept_corrections, "Copy the corrections into your seeds layer"),
        )  # fmt: skip
        self.strat_box = QCheckBox("Show stratigraphic coordinate")
        self.strat_box.setToolTip(
            "Where each voxel sits in the layering, as the method sees it: the stripes should run along the reflectors"
        )
        self.strat_box.toggled.connect(self._strat_toggled)
        layout.addWidget(self.strat_box)
        self.learn_box = QCheckBox("Learn the volume while I paint")
        self.learn_box.setChecked(LEARN_BY_DEFAULT)
        self.learn_box.setToolTip(
            "Self-supervised pretraining in the background (the networks fill in hidden traces); Train starts from it"
        )
        self.learn_box.toggled.connect(self._maybe_prepare)
        layout.addWidget(self.learn_box)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m epochs")
        layout.addWidget(self.progress)
        self.status = QLabel("Paint seeds for at least two classes, then Train.")
        self.status.setWordWrap(True)
        # a fixed height: a status that wraps onto a new line would relayout the whole window
        self.status.setFixedHeight(self.status.fontMetrics().lineSpacing() * 6 + 4)  # room for 5+ classes
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)

        self.export_btn, self.save_btn, self.load_btn = _button_row(
            layout,
            ("Export…", self._export_dialog, "Write the grown labels as SEG-Y like the source, .npy or .zarr"),
            ("Save session…", self._save_dialog, ""),
            ("Load session…", self._load_dialog, ""),
        )
        layout.addStretch(1)
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.train_btn.setEnabled(not running)
        self.stop_btn.setEnabled(running)
        has_model = self.session is not None and self.session.winner is not None
        self.grow_btn.setEnabled(not running and has_model)
        self.restart_btn.setEnabled(not running and has_model and self.seeds_changed)
        for b in (self.new_seeds_btn, self.load_btn, self.accept_btn):
            b.setEnabled(not running)
        self.next_btn.setEnabled(bool(self.suggestions))
        self.correct_btn.setEnabled(has_model)
