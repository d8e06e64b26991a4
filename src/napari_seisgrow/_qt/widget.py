"""The SeisGrow dock widget: paint seeds, train in the background, watch labels grow, export.

The widget owns no method: it copies the seeds, builds an engine Session, runs it in a napari
thread worker and applies each yielded report to a "grown" Labels layer on the GUI thread.
"""

from __future__ import annotations

import threading
import weakref
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from napari.layers import Image, Labels
from napari.qt.threading import GeneratorWorker, create_worker
from napari.utils.colormaps import DirectLabelColormap
from napari.utils.notifications import show_error, show_info, show_warning
from qtpy.QtCore import QEvent, Qt, QTimer
from qtpy.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QCollapsible

from .. import autosave, provenance
from .._layers import METADATA_KEY, labels_layer_kwargs
from ..classes import ClassTable
from ..engine.config import GrowConfig
from ..engine.data import check_seeds
from ..engine.lazy import scan_seeds
from ..engine.memory import fits_in_memory
from ..engine.session import Session
from ..engine.session_blockwise import Blockwise
from ..io import SeisgrowError, write_labels
from ..io.geometry import Geometry, Volume
from ..session_store import load_session, save_session
from .classes_table import ClassTableWidget
from .prepare import Preparation
from .settings import SettingsPanel
from .strat_layer import StratLayer
from .training import Update, build_and_train, confidence_image, one_line, train

if TYPE_CHECKING:
    import napari

GROWN_NAME = "grown"
WORK_SUFFIX = ".seisgrow-work"
PROGRESS_DELAY_MS = 60
CONFIDENCE_NAME = "confidence"
LEARN_BY_DEFAULT = False  # pretraining in the background while painting (see docs/benchmarks.md)
PREPARE_WAIT_S = 30.0  # Train waits at most this long for the pretraining to stop at its next step


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


class SeisGrowWidget(QWidget):
    def __init__(self, napari_viewer: napari.viewer.Viewer) -> None:
        super().__init__()
        self.viewer = napari_viewer
        self.classes = ClassTable.default(2)
        self.session: Session | None = None
        self.worker: GeneratorWorker | None = None
        self.grown_layer: Labels | None = None
        self.confidence_layer: Image | None = None
        self.autosave_found: Path | None = None
        self.autosave_folder: Path | None = None
        self._offered: set[Path] = set()
        self._autosave_warned = False
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
        for ev in (self.viewer.layers.events.inserted, self.viewer.layers.events.removed):
            ev.connect(self._refresh_layers)

        self._refresh_layers()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.image_combo = QComboBox()
        self.image_combo.currentIndexChanged.connect(self._offer_autosave)
        self.image_combo.currentIndexChanged.connect(self._maybe_prepare)
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
        layout.addWidget(self.confidence_box)
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

    # ------------------------------------------------------------------ layers
    def _refresh_layers(self, *_: Any) -> None:
        for combo, kind in ((self.image_combo, Image), (self.seeds_combo, Labels)):
            current = combo.currentText()
            names = [
                layer.name for layer in self.viewer.layers
                if isinstance(layer, kind) and layer not in (self.grown_layer, self.confidence_layer, self.strat.layer)
            ]  # fmt: skip
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if current in names:
                combo.setCurrentText(current)
            combo.blockSignals(False)
        if self.grown_layer is not None and self.grown_layer not in self.viewer.layers:
            self.grown_layer = None
        self._watch_seeds()
        self._offer_autosave()

    # ------------------------------------------------------------------ autosave
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

    def image_layer(self) -> Image:
        name = self.image_combo.currentText()
        if not name or name not in self.viewer.layers:
            raise SeisgrowError("open a seismic volume first (File > Open, or the sample data)")
        return self.viewer.layers[name]

    def seeds_layer(self) -> Labels:
        name = self.seeds_combo.currentText()
        if not name or name not in self.viewer.layers:
            raise SeisgrowError("there is no seeds layer: press 'New seeds layer' and paint")
        return self.viewer.layers[name]

    def geometry(self) -> Geometry:
        image = self.image_layer()
        geom = image.metadata.get(METADATA_KEY)
        if isinstance(geom, Geometry) and geom.shape == tuple(image.data.shape):
            return geom
        return Geometry.default(image.data.shape)

    def blockwise(self) -> bool:
        """Whether the open volume is too big for an in-memory session here: then seeds live in a
        Zarr store, training runs blockwise and the grown layer is read from its Zarr store."""
        return not fits_in_memory(tuple(self.image_layer().data.shape))

    def work_folder(self) -> Path:
        """Beside the source file when its folder is writable (like the autosave), else user data."""
        source = self.geometry().source
        return autosave.folder_for(source, self.image_layer().name, WORK_SUFFIX)

    def _seeds_store(self, shape: tuple[int, ...]):
        """The seeds of a volume too big for memory: a Zarr store, opened again if it exists."""
        import zarr

        path = self.work_folder() / "seeds.zarr"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            try:
                store = zarr.open_array(str(path), mode="r+")
                if tuple(store.shape) == tuple(shape):
                    show_info(f"Seeds painted earlier on this volume are back (stored in {path})")
                    return store
            except Exception:  # not a seeds store of ours: leave it, use another name
                pass
            path = path.with_name(f"seeds-{datetime.now():%Y%m%d-%H%M%S}.zarr")
        chunks = (1, min(shape[1], 256), min(shape[2], 1024))  # painting an inline touches few chunks
        store = zarr.open_array(str(path), mode="w", shape=shape, chunks=chunks, dtype="u1", fill_value=0)
        show_info(f"The volume is too big for memory: seeds are stored in {path}")
        return store

    def _labels_kwargs(self, name: str) -> dict:
        image = self.image_layer()
        kwargs = labels_layer_kwargs(self.geometry(), name)
        # match the image as displayed, whatever its metadata says
        kwargs.update(
            scale=tuple(image.scale),
            translate=tuple(image.translate),
            axis_labels=tuple(image.axis_labels),
            units=tuple(image.units),
        )
        return kwargs

    def new_seeds_layer(self) -> Labels | None:
        try:
            image = self.image_layer()
        except SeisgrowError as exc:
            show_warning(str(exc))
            return None
        shape = tuple(image.data.shape)
        data = self._seeds_store(shape) if self.blockwise() else np.zeros(shape, np.uint8)
        layer = self.viewer.add_labels(data, **self._labels_kwargs("seeds"))
        layer.colormap = DirectLabelColormap(color_dict=self.classes.colour_dict())
        layer.selected_label = 1
        layer.mode = "paint"
        self.seeds_combo.setCurrentText(layer.name)
        self.viewer.layers.selection.active = layer
        if self.viewer.dims.ndim == 3 and tuple(self.viewer.dims.order) == (0, 1, 2):
            self.viewer.dims.order = (0, 2, 1)  # an inline section with time running down, as on a workstation
        return layer

    def add_class(self) -> None:
        value = max([c.value for c in self.classes.classes] + [0]) + 1
        self.classes.ensure(value)
        self.class_table.reload()
        self._apply_colours()
        try:
            self.seeds_layer().selected_label = value
        except SeisgrowError:
            pass

    def _apply_colours(self) -> None:
        cmap = self.classes.colour_dict()
        layers = [self.grown_layer]
        try:
            layers.append(self.seeds_layer())
        except SeisgrowError:
            pass
        for layer in layers:
            if layer is not None:
                layer.colormap = DirectLabelColormap(color_dict=cmap)

    def _watch_seeds(self, *_: Any) -> None:
        try:
            layer = self.seeds_layer()
        except SeisgrowError:
            layer = None
        if layer is self._watched:
            return
        if self._watched is not None:
            self._watched.events.paint.disconnect(self._seeds_painted)
        self._watched = layer
        if layer is not None:
            layer.events.paint.connect(self._seeds_painted)

    def _seeds_painted(self, *_: Any) -> None:
        if self.session is None:
            return
        if not self.seeds_changed:
            self.seeds_changed = True
            show_info("Seeds changed: 'Continue with new seeds' trains the current networks on them.")
        self.restart_btn.setEnabled(True)

    # ------------------------------------------------------------------ training
    @property
    def running(self) -> bool:
        return self.worker is not None

    def _set_running(self, running: bool) -> None:
        self.train_btn.setEnabled(not running)
        self.stop_btn.setEnabled(running)
        has_model = self.session is not None and self.session.winner is not None
        self.grow_btn.setEnabled(not running and has_model)
        self.restart_btn.setEnabled(not running and has_model and self.seeds_changed)
        for b in (self.new_seeds_btn, self.load_btn):
            b.setEnabled(not running)

    def _snapshot(self) -> tuple[Volume, np.ndarray, GrowConfig]:
        image, seeds = self.image_layer(), self.seeds_layer()
        if tuple(seeds.data.shape) != tuple(image.data.shape):
            shapes = f"{tuple(seeds.data.shape)} and seismic {tuple(image.data.shape)}"
            raise SeisgrowError(f"seeds {shapes} differ in shape; make a new seeds layer for this volume")
        if self.blockwise():
            snapshot = self._snapshot_store(seeds.data)
            classes = np.unique(scan_seeds(snapshot, tuple(image.data.shape)).classes)
        else:
            snapshot = np.array(seeds.data, copy=True)  # the user's layer is never handed to the engine
            classes = np.unique(snapshot[snapshot > 0])
        for value in classes:
            self.classes.ensure(int(value))
        self.class_table.reload()
        return Volume(image.data, self.geometry()), snapshot, self.settings.config()

    def _snapshot_store(self, data: Any):
        """A read-only copy of big seeds for the run (only painted chunks exist, so it is small)."""
        import zarr

        target = self.work_folder() / "run" / f"seeds-{datetime.now():%Y%m%d-%H%M%S-%f}.zarr"
        target.parent.mkdir(parents=True, exist_ok=True)
        copy = zarr.open_array(str(target), mode="w", shape=data.shape, chunks=getattr(data, "chunks", None) or
                               (1, *data.shape[1:]), dtype="u1", fill_value=0)  # fmt: skip
        for i in range(data.shape[0]):
            section = np.asarray(data[i])
            if section.any():
                copy[i] = section
        return zarr.open_array(str(target), mode="r")

    def start_training(self) -> None:
        if self.running:
            return
        try:
            volume, seeds, config = self._snapshot()
            blockwise = None
            if self.blockwise():
                blockwise = Blockwise(self.work_folder() / "run")
                scan_seeds(seeds, tuple(volume.data.shape))  # the common mistakes, answered at once
            else:
                check_seeds(seeds, tuple(volume.data.shape))
        except SeisgrowError as exc:
            show_error(str(exc))
            return
        self.seeds_changed = False
        self.session = None
        self._stop_event = threading.Event()  # set by Stop or by closing, even before the session exists
        if blockwise is None:
            self._show_grown(seeds)  # the grown layer starts as the seeds: epochs then update it in place
            shown, autosaver = self.grown_layer.data.copy(), self._autosaver()
        else:
            import dask.array as da

            self._show_grown(da.from_array(seeds, chunks=seeds.chunks))
            shown, autosaver = None, None  # the work folder's Zarr stores are the record of the run
            show_info(f"Training blockwise; the grown labels are kept in {blockwise.work}")
        image = self.image_layer()
        pretrained = None
        if blockwise is None and (self.prepare.running or self.prepare.weights(image, config) is not None):
            self.prepare.cancel()  # ends at its next step; training starts from what it learnt
            prep = self.prepare

            def pretrained():
                prep.done.wait(PREPARE_WAIT_S)
                return prep.weights(image, config)

        self._start_worker(
            build_and_train, volume, seeds, config, shown, self.confidence_box.isChecked,
            autosaver, self._stop_event, blockwise, self.strat.known(image), pretrained, epochs=config.epochs,
        )  # fmt: skip

    def continue_with_new_seeds(self) -> None:
        if self.running or self.session is None:
            return
        try:
            _, seeds, config = self._snapshot()
            self.session.update_seeds(seeds)
            more = config.epochs
            self.session.config = self.session.config.with_overrides(
                epochs=self.session.epoch + more, **{k: getattr(config, k) for k in ("grow_thresholds", "grow_radius")}
            )
        except SeisgrowError as exc:
            show_error(str(exc))
            return
        self.seeds_changed = False
        self.session.clear_stop()
        self._on_session(self.session)
        shown = None if self.grown_layer is None else self.grown_layer.data.copy()
        self._start_worker(
            train, self.session, shown, self.confidence_box.isChecked, self._autosaver(),
            epochs=self.session.config.epochs, first=self.session.epoch,
        )  # fmt: skip

    def _watch_window_close(self) -> None:
        """Hear the viewer's window close (the dock is inside it by the time anything trains)."""
        window = self.window()
        if window is not self and window is not (self._watched_window and self._watched_window()):
            window.installEventFilter(self)
            self._watched_window = weakref.ref(window)  # never keep napari's window alive

    def _start_worker(self, func, *args: Any, epochs: int, first: int = 0) -> None:
        self._watch_window_close()
        self._closing = False
        self.progress.setMaximum(epochs)
        self.progress.setValue(first)
        worker = create_worker(
            func,
            *args,
            _start_thread=False,
            _connect={"yielded": self._on_update, "errored": self._on_error, "finished": self._on_finished},
        )
        self.worker = worker
        self._stop_requested = False
        if self.session is not None:
            self._stop_event = self.session._stop  # continuing: stop that session's own flag
        self._autosave_warned = False
        self.restore_btn.setVisible(False)
        self._set_running(True)
        self.status.setText("Training…")
        worker.start()

    def _on_session(self, session: Session) -> None:
        self.session = session
        self._keep_strat(session)
        if self._stop_requested:
            session.stop()
        self.device_label.setText(f"device: {session.device_name}")
        self.status.setText(f"Training on {session.device_name}…")

    def _show_grown(self, labels: Any) -> None:
        lazy = not isinstance(labels, np.ndarray)
        if lazy and self.grown_layer is not None and self.grown_layer in self.viewer.layers:
            self.grown_layer.data = labels  # a Zarr store of this epoch: napari reads what is on screen
            return
        if self.grown_layer is None or self.grown_layer not in self.viewer.layers:
            data = labels if lazy else np.array(labels)
            self.grown_layer = self.viewer.add_labels(data, opacity=0.6, **self._labels_kwargs(GROWN_NAME))
            self._apply_colours()
            self._refresh_layers()
        elif not isinstance(self.grown_layer.data, np.ndarray):
            self.grown_layer.data = np.array(labels)
        else:
            self.grown_layer.data[...] = labels
            self.grown_layer.refresh()

    def _show_confidence(self, conf: np.ndarray) -> None:
        layer = self.confidence_layer
        if layer is None or layer not in self.viewer.layers:
            kwargs = self._labels_kwargs(CONFIDENCE_NAME)
            self.confidence_layer = self.viewer.add_image(
                conf, colormap="magma", contrast_limits=(0.0, 1.0), opacity=0.8, blending="translucent", **kwargs
            )
        else:
            layer.data = conf  # a new array each epoch: napari re-slices only what is on screen

    def _confidence_toggled(self, on: bool) -> None:
        if on and self.session is not None and not self.running:
            conf = confidence_image(self.session)
            if conf is not None:
                self._show_confidence(conf)
        elif not on and self.confidence_layer is not None and self.confidence_layer in self.viewer.layers:
            self.viewer.layers.remove(self.confidence_layer)
            self.confidence_layer = None

    def _keep_strat(self, session: Session | None) -> None:
        """The session's coordinate serves the layer (and the next training) without a second solve,
        and its pretrained weights the next training from scratch."""
        if session is None:
            return
        try:
            image = self.image_layer()
        except SeisgrowError:
            return
        self.prepare.keep(image, session.config, getattr(session, "pretrained_weights", None))
        if session.strat is None:
            return
        self.strat.keep(image, session.strat)
        if self.strat_box.isChecked() and self.strat.layer is None:
            self.strat.show(image)

    def _maybe_prepare(self, *_: Any) -> None:
        """Start learning the picked volume in the background, when asked and not training."""
        if not self.learn_box.isChecked():
            self.prepare.cancel()
            return
        if self.running:
            return
        try:
            image = self.image_layer()
            if self.blockwise():
                return  # a volume that does not fit in memory is not pretrained
            config = self.settings.config()
        except SeisgrowError:
            return
        self.prepare.start(image, config, self.strat.known(image))

    def _show_preparation(self, text: str) -> None:
        if not self.running:
            self.status.setText(text)

    def _strat_toggled(self, on: bool) -> None:
        if not on:
            self.strat.hide()
            return
        try:
            self.strat.show(self.image_layer())
        except SeisgrowError as exc:
            show_error(str(exc))

    def stop_training(self) -> None:
        self._stop_requested = True
        self._stop_event.set()
        if self.session is not None:
            self.session.stop()
        if self.worker is not None:
            self.worker.quit()
        self.status.setText("Stopping after the current batch…")

    def _on_update(self, update: Update | Session) -> None:
        if self._closing:
            return  # an epoch that finished while the viewer closed: its layers are gone
        if isinstance(update, Session):
            self._on_session(update)
            return
        r = update.report
        if self.grown_layer is None or self.grown_layer not in self.viewer.layers or update.replace:
            self._show_grown(r.grown)
        elif update.changed is not None:
            a, b = update.changed
            self.grown_layer.data[a:b] = r.grown[a:b]
            self.grown_layer.refresh()
        for note in r.notes:  # the engine changed something itself, e.g. a smaller batch after running out of memory
            show_warning(note)
            self.device_label.setText(f"device: {r.device}")
        if update.autosave_error and not self._autosave_warned:
            self._autosave_warned = True
            show_warning(f"Autosave failed (training goes on): {update.autosave_error}")
        if update.confidence is not None and self.confidence_box.isChecked():
            self._show_confidence(update.confidence)
        # QProgressBar repaints synchronously when its value changes, taking every dirty region of
        # the window with it: show the figures a moment later, after the canvas has drawn the new
        # labels on its own, so the two paints are two short stalls rather than one long one
        self._pending_report = r
        self._progress_timer.start(PROGRESS_DELAY_MS)

    def _show_progress(self) -> None:
        r, self._pending_report = self._pending_report, None
        if r is None:
            return
        self.progress.setValue(r.epoch + 1)
        names = {c.value: c.name for c in self.classes.classes}
        counts = ", ".join(f"{names.get(k, k)} +{v}" for k, v in r.grown_counts.items())
        acc = "" if r.holdout_accuracy is None else f"; held-out accuracy {r.holdout_accuracy:.3f}"
        self.status.setText(
            f"Epoch {r.epoch + 1}/{r.epochs} [{r.stage}]  loss {r.sup_loss:.4f}  CPS {r.cps_loss:.4f}  "
            f"{r.seconds:.1f}s\nlabelled {100 * r.labelled_fraction:.1f}%: {counts}{acc}"
        )

    def _on_error(self, exc: BaseException) -> None:
        show_error(f"Training stopped: {one_line(exc)}")

    def _on_finished(self) -> None:
        self._show_progress()  # the last epoch's figures, if the event loop has not shown them yet
        self.worker = None
        self._set_running(False)
        if self.session is not None and not self.session.done:
            self.status.setText(self.status.text() + "\nStopped; the last grown labels are kept.")

    def regrow(self) -> np.ndarray | None:
        if self.session is None or self.running:
            return None
        try:
            cfg = self.settings.config()
            grown = self.session.regrow(
                grow_thresholds=cfg.grow_thresholds, grow_radius=cfg.grow_radius, max_reach=cfg.max_reach
            )
        except SeisgrowError as exc:
            show_error(str(exc))
            return None
        self._show_grown(grown)
        self.status.setText(f"Re-grown: {100 * float((grown > 0).mean()):.1f}% of voxels labelled")
        return grown

    # ------------------------------------------------------------------ files
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
                config=self.settings.config().to_dict(),
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
            config = GrowConfig.from_dict(saved.config) if saved.config else GrowConfig()
        except SeisgrowError as exc:
            show_error(str(exc))
            return False
        self.classes = saved.classes
        self.class_table.set_table(self.classes)
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

    # ------------------------------------------------------------------ teardown
    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Stop a running training and wait for its thread, so nothing outlives the viewer."""
        self._closing = True
        self._stop_event.set()
        self.prepare.cancel()
        if self.session is not None:
            self.session.stop()
        if self.worker is not None:
            self.worker.quit()
        if self.worker is not None or self.prepare.running or self.strat.worker is not None:
            GeneratorWorker.await_workers(msecs=timeout_ms)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Close and self.running:
            self.shutdown()  # the viewer is closing: stop within a batch, not at the end of the epoch
        return super().eventFilter(obj, event)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)
