"""The training panel: the settings, Train, Stop, Grow, Continue, and learning while painting."""

from __future__ import annotations

from qtpy.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget
from superqt import QCollapsible

from .buttons import button_row
from .run_controller import RunController
from .run_model import RunModel
from .settings import SettingsPanel

LEARN_BY_DEFAULT = False  # pretraining in the background while painting (see docs/benchmarks.md)


class TrainingPanel(QWidget):
    """Controls that start and steer a run; which are live follows the run model."""

    def __init__(self, model: RunModel, settings: SettingsPanel, run: RunController) -> None:
        super().__init__()
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(settings.basic.native)
        self.advanced = QCollapsible("Advanced")
        self.advanced.addWidget(settings.advanced.native)
        layout.addWidget(self.advanced)
        self.device_label = QLabel("device: not started")
        layout.addWidget(self.device_label)
        self.train_btn, self.stop_btn, self.grow_btn = button_row(
            layout,
            ("Train", run.start_training, "Train two networks on the seeds; the grown labels update every epoch"),
            ("Stop", run.stop_training, "Stop after the current batch; the last grown labels stay"),
            ("Grow", run.regrow, "Grow again from the last prediction with the last-growth settings (no training)"),
        )
        self.restart_btn = QPushButton("Continue with new seeds")
        self.restart_btn.setToolTip("The seeds changed: continue training the current networks on them")
        self.restart_btn.clicked.connect(lambda *_: run.continue_with_new_seeds())
        layout.addWidget(self.restart_btn)
        self.learn_box = QCheckBox("Learn the volume while I paint")
        self.learn_box.setToolTip(
            "Self-supervised pretraining in the background (the networks fill in hidden traces); Train starts from it"
        )
        self.learn_box.toggled.connect(self._learn_toggled)
        self.learn_box.toggled.connect(run.maybe_prepare)
        self.learn_box.setChecked(LEARN_BY_DEFAULT)
        layout.addWidget(self.learn_box)
        model.changed.connect(self.follow)
        model.device.connect(self.device_label.setText)
        self.follow()

    def _learn_toggled(self, on: bool) -> None:
        self.model.learn = bool(on)

    def follow(self) -> None:
        """Which buttons are live: Train when idle, Stop while training, Grow and Continue with a model."""
        m = self.model
        self.train_btn.setEnabled(not m.running)
        self.stop_btn.setEnabled(m.running and not m.growing)
        self.grow_btn.setEnabled(not m.running and m.has_model)
        self.restart_btn.setEnabled(not m.running and m.has_model and m.seeds_changed)
