"""The files panel: autosave every epoch (and the offer to restore one), export, save and load.

Everything the dock reads from or writes to disk goes through here; exports and sessions are
written atomically by ``io`` and ``saved``, so a failure never leaves half a file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from napari.utils.notifications import show_error, show_info, show_warning
from qtpy.QtWidgets import QCheckBox, QFileDialog, QPushButton, QVBoxLayout, QWidget

from ..classes import ClassTable
from ..engine.config import GrowConfig
from ..engine.session import Session
from ..io import SeisgrowError, write_labels
from ..io.geometry import Volume
from ..saved import autosave, provenance
from ..saved.sessions import load_session, save_session
from .buttons import button_row
from .data_panel import DataPanel
from .dock_layers import DockLayers
from .run_model import RunModel
from .settings import SettingsPanel


class FilesPanel(QWidget):
    """Autosave, restore, export, save and load for one dock."""

    def __init__(self, layers: DockLayers, model: RunModel, data: DataPanel, settings: SettingsPanel,
                 adopt: Callable[[Session | None], None]) -> None:  # fmt: skip
        super().__init__()
        self.layers, self.model, self.data, self.settings = layers, model, data, settings
        self.adopt = adopt  # a loaded session becomes the dock's run
        self.autosave_found: Path | None = None
        self.autosave_folder: Path | None = None
        self._offered: set[Path] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.autosave_box = QCheckBox("Autosave every epoch")
        self.autosave_box.setChecked(True)
        self.autosave_box.setToolTip("Seeds, grown labels and model, beside the source file or in your data folder")
        layout.addWidget(self.autosave_box)
        self.restore_btn = QPushButton("Restore autosave")
        self.restore_btn.clicked.connect(self.restore_autosave)
        self.restore_btn.setVisible(False)
        layout.addWidget(self.restore_btn)
        self.export_btn, self.save_btn, self.load_btn = button_row(
            layout,
            ("Export…", self._export_dialog, "Write the grown labels as SEG-Y like the source, .npy or .zarr"),
            ("Save session…", self._save_dialog, "Seeds, classes, settings, grown labels and the trained model"),
            ("Load session…", self._load_dialog, "Open a saved session on this volume"),
        )
        data.refreshed.connect(self.offer_autosave)
        data.volume_changed.connect(self.offer_autosave)
        model.changed.connect(lambda: self.load_btn.setEnabled(not model.running))

    def offer_autosave(self, *_: Any) -> None:
        """Show "Restore autosave" when the chosen volume has one and nothing is running."""
        found = None
        try:
            if not self.model.running:
                found = autosave.find(*self.layers.volume_key())
        except SeisgrowError:
            found = None
        self.autosave_found = found
        self.restore_btn.setVisible(found is not None)
        if found is not None:
            when = datetime.fromtimestamp((found / "session.json").stat().st_mtime)
            self.restore_btn.setText(f"Restore autosave ({when:%Y-%m-%d %H:%M})")
            self.restore_btn.setToolTip(str(found))
            if found not in self._offered:
                self._offered.add(found)
                show_info(f"SeisGrow found an autosave for this volume ({found}); press 'Restore autosave' to load it")

    def restore_autosave(self) -> bool:
        return self.autosave_found is not None and self.load(self.autosave_found)

    def autosaver(self) -> Callable[[Session], Any] | None:
        """What the worker calls after every epoch (None when autosave is off): it writes to a
        folder fixed now, with a snapshot of the classes, so the worker never reads a widget."""
        if not self.autosave_box.isChecked():
            return None
        source, name = self.layers.volume_key()
        folder = autosave.folder_for(source, name)
        classes = ClassTable.from_list(self.layers.classes.to_list())  # a snapshot: the worker never reads widgets
        self.autosave_folder = folder
        self.autosave_box.setToolTip(f"Saving every epoch to {folder}")
        return lambda session: autosave.write(folder, session, classes, source)

    def export(self, path: str | Path) -> Path | None:
        layers = self.layers
        if layers.grown is None:
            show_warning("nothing to export yet: train first")
            return None
        try:
            out = write_labels(path, layers.grown.data, layers.geometry())
            if self.model.session is not None:
                provenance.write(out, self.model.session, volume=layers.geometry().source or layers.image_layer().name)
        except SeisgrowError as exc:
            show_error(str(exc))
            return None
        show_info(f"Exported {out}")
        return out

    def save(self, folder: str | Path) -> Path | None:
        layers, grown = self.layers, self.layers.grown
        if grown is not None and not isinstance(grown.data, np.ndarray):
            show_error(f"A volume this size is kept in {layers.work_folder()} (seeds, grown labels, prediction); "
                       "export the labels instead of saving a session")  # fmt: skip
            return None
        try:
            seeds = np.asarray(layers.seeds_layer().data)
            out = save_session(
                folder,
                seeds=seeds,
                grown=None if grown is None else np.asarray(grown.data),
                classes=layers.classes,
                config=self.settings.config().with_overrides(class_kinds=layers.classes.kinds()).to_dict(),
                source=layers.geometry().source,
                session=self.model.session if self.model.has_model else None,
            )
        except SeisgrowError as exc:
            show_error(str(exc))
            return None
        show_info(f"Session saved to {out}")
        return out

    def load(self, folder: str | Path) -> bool:
        layers = self.layers
        try:
            saved = load_session(folder)
            image = layers.image_layer()
            if tuple(saved.seeds.shape) != tuple(image.data.shape):
                shapes = f"{tuple(saved.seeds.shape)} do not fit the open volume {tuple(image.data.shape)}"
                raise SeisgrowError(f"the session's seeds {shapes}; open the volume it was made on")
            config = GrowConfig.from_dict(saved.config, saved=True) if saved.config else GrowConfig()
        except SeisgrowError as exc:
            show_error(str(exc))
            return False
        layers.classes.take(saved.classes)
        self.data.class_table.reload()
        self.model.set_suggestions([])
        self.settings.set_config(config)
        seeds = layers.viewer.add_labels(saved.seeds, **layers.labels_kwargs("seeds"))
        self.data.pick_seeds(seeds.name)
        if saved.grown is not None:
            layers.replace_grown(saved.grown)
        self.data.refresh()
        self.data.pick_seeds(seeds.name)
        layers.apply_colours()
        session = None
        if saved.checkpoint is not None:
            try:
                session = Session.resume(saved.checkpoint, Volume(image.data, layers.geometry()), saved.seeds)
            except SeisgrowError as exc:
                show_warning(f"model not restored: {exc}")
        self.adopt(session)
        self.restore_btn.setVisible(False)
        self.model.say(f"Session loaded from {folder}")
        return True

    def _export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export grown labels", "", "SEG-Y like the source (*.sgy *.segy);;NumPy (*.npy);;Zarr (*.zarr)"
        )
        if path:
            self.export(path)

    def _save_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save session into folder")
        if folder:
            self.save(folder)

    def _load_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Load session from folder")
        if folder:
            self.load(folder)
