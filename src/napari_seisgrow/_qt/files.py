"""Files and sessions: the autosave offer and writer, export, save and load."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from napari.utils.notifications import show_error, show_info, show_warning
from qtpy.QtWidgets import QFileDialog

from ..classes import ClassTable
from ..engine.config import GrowConfig
from ..engine.session import Session
from ..io import SeisgrowError, write_labels
from ..io.geometry import Volume
from ..saved import autosave, provenance
from ..saved.sessions import load_session, save_session
from .display import GROWN_NAME


class FilesMixin:
    """Everything the widget reads from or writes to disk."""

    def _volume_key(self) -> tuple[str | None, str]:
        image = self.image_layer()
        return self.geometry().source, image.name

    def _offer_autosave(self, *_: Any) -> None:
        """Show "Restore autosave" when the chosen volume has one and nothing is running."""
        found = None
        try:
            if not self.running:
                found = autosave.find(*self._volume_key())
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

    def _autosaver(self):
        if not self.autosave_box.isChecked():
            return None
        source, name = self._volume_key()
        folder = autosave.folder_for(source, name)
        classes = ClassTable.from_list(self.classes.to_list())  # a snapshot: the worker never reads widgets
        self.autosave_folder = folder
        self.autosave_box.setToolTip(f"Saving every epoch to {folder}")
        return lambda session: autosave.write(folder, session, classes, source)

    def export(self, path: str | Path) -> Path | None:
        if self.grown_layer is None:
            show_warning("nothing to export yet: train first")
            return None
        try:
            out = write_labels(path, self.grown_layer.data, self.geometry())
            if self.session is not None:
                provenance.write(out, self.session, volume=self.geometry().source or self.image_layer().name)
        except SeisgrowError as exc:
            show_error(str(exc))
            return None
        show_info(f"Exported {out}")
        return out

    def save(self, folder: str | Path) -> Path | None:
        if self.grown_layer is not None and not isinstance(self.grown_layer.data, np.ndarray):
            show_error(f"A volume this size is kept in {self.work_folder()} (seeds, grown labels, prediction); "
                       "export the labels instead of saving a session")  # fmt: skip
            return None
        try:
            seeds = np.asarray(self.seeds_layer().data)
            out = save_session(
                folder,
                seeds=seeds,
                grown=None if self.grown_layer is None else np.asarray(self.grown_layer.data),
                classes=self.classes,
                config=self.settings.config().with_overrides(class_kinds=self.classes.kinds()).to_dict(),
                source=self.geometry().source,
                session=self.session if self.session is not None and self.session.winner is not None else None,
            )
        except SeisgrowError as exc:
            show_error(str(exc))
            return None
        show_info(f"Session saved to {out}")
        return out

    def load(self, folder: str | Path) -> bool:
        try:
            saved = load_session(folder)
            image = self.image_layer()
            if tuple(saved.seeds.shape) != tuple(image.data.shape):
                shapes = f"{tuple(saved.seeds.shape)} do not fit the open volume {tuple(image.data.shape)}"
                raise SeisgrowError(f"the session's seeds {shapes}; open the volume it was made on")
            config = GrowConfig.from_dict(saved.config, saved=True) if saved.config else GrowConfig()
        except SeisgrowError as exc:
            show_error(str(exc))
            return False
        self.classes = saved.classes
        self.class_table.set_table(self.classes)
        self._set_suggestions([])
        self.settings.set_config(config)
        seeds = self.viewer.add_labels(saved.seeds, **self._labels_kwargs("seeds"))
        self.seeds_combo.setCurrentText(seeds.name)
        if saved.grown is not None:
            if self.grown_layer is not None and self.grown_layer in self.viewer.layers:
                self.viewer.layers.remove(self.grown_layer)
            self.grown_layer = self.viewer.add_labels(saved.grown, opacity=0.6, **self._labels_kwargs(GROWN_NAME))
        self._refresh_layers()
        self.seeds_combo.setCurrentText(seeds.name)
        self._apply_colours()
        self.session = None
        if saved.checkpoint is not None:
            try:
                self.session = Session.resume(saved.checkpoint, Volume(image.data, self.geometry()), saved.seeds)
                self._keep_strat(self.session)
            except SeisgrowError as exc:
                show_warning(f"model not restored: {exc}")
        self._set_running(False)
        self.restore_btn.setVisible(False)
        self.status.setText(f"Session loaded from {folder}")
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
