"""The run controller: starts, continues and stops training in a thread worker, applies each epoch's
report to the viewer, re-grows, and runs the background pretraining while the user paints.

It changes the run model (``RunModel``) and the dock's layers (``DockLayers``); the panels show
what the model says. Each collaborator comes in as a constructor argument.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np
from napari.qt.threading import FunctionWorker, GeneratorWorker, create_worker
from napari.utils.notifications import show_error, show_info, show_warning
from qtpy.QtCore import QEvent, QObject, QTimer
from qtpy.QtWidgets import QWidget

from ..engine.backend_blockwise import Blockwise
from ..engine.config import GrowConfig, training_changes
from ..engine.data import enough_classes
from ..engine.lazy import scan_seeds
from ..engine.report import Preview, Swept
from ..engine.session import Session
from ..io import SeisgrowError
from ..io.geometry import Volume
from .data_panel import DataPanel
from .dock_layers import DockLayers
from .files_panel import FilesPanel
from .prepare import Preparation
from .preview import Previews
from .progress_text import progress_text
from .review import Review
from .run_model import RunModel
from .seeds_store import snapshot_store
from .settings import SettingsPanel
from .training import Update, build_and_train, one_line, train

PROGRESS_DELAY_MS = 60
PREPARE_WAIT_S = 30.0  # Train waits at most this long for the pretraining to stop at its next step
STRAT_WAIT_S = 1800.0  # a training waits this long for the background solve of the coordinate, not solving twice


class RunController(QObject):
    """Training's lifecycle as the user drives it (Train, Stop, Grow, Continue, closing the viewer)."""

    def __init__(self, dock: QWidget, layers: DockLayers, model: RunModel, data: DataPanel, settings: SettingsPanel,
                 review: Review, previews: Previews, files: FilesPanel) -> None:  # fmt: skip
        super().__init__(dock)  # a child of the dock: it lives and dies with it
        self.dock = dock
        self.layers, self.model, self.data, self.settings = layers, model, data, settings
        self.review, self.previews, self.files = review, previews, files
        self.prepare = Preparation(self._show_preparation, layers.strat.keep)
        self._watched_window: weakref.ref | None = None
        self._pending_report = None
        self._autosave_warned = False
        self._suggestion_warned: str | None = None
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.timeout.connect(self._show_progress)
        data.volume_changed.connect(self.maybe_prepare)
        data.volume_changed.connect(lambda: model.set_suggestions([]))  # another volume: the places no longer apply
        data.refreshed.connect(self._solve_in_background)

    @property
    def running(self) -> bool:
        return self.model.running

    @property
    def session(self) -> Session | None:
        return self.model.session

    def _snapshot(self) -> tuple[Volume, np.ndarray, GrowConfig]:
        layers = self.layers
        image, seeds = layers.image_layer(), layers.seeds_layer()
        if tuple(seeds.data.shape) != tuple(image.data.shape):
            shapes = f"{tuple(seeds.data.shape)} and seismic {tuple(image.data.shape)}"
            raise SeisgrowError(f"seeds {shapes} differ in shape; make a new seeds layer for this volume")
        self.model.corrected = 0
        if layers.blockwise():
            snapshot = snapshot_store(seeds.data, layers.work_folder() / "run")
            classes = np.unique(scan_seeds(snapshot, tuple(image.data.shape)).classes)
        else:
            snapshot = np.array(seeds.data, copy=True)  # the user's layer is never handed to the engine
            snapshot, self.model.corrected = self.review.with_corrections(snapshot)
            classes = np.unique(snapshot[snapshot > 0])
            enough_classes(classes)  # the common mistake, answered at the click (the run checks the rest)
        for value in classes:
            layers.classes.ensure(int(value))
        self.data.class_table.reload()
        config = self.settings.config().with_overrides(class_kinds=layers.classes.kinds())
        return Volume(image.data, layers.geometry()), snapshot, config

    def start_training(self) -> None:
        if self.running:
            return
        model, layers = self.model, self.layers
        try:
            volume, seeds, config = self._snapshot()  # the common mistakes in the seeds, answered at once
            blockwise = Blockwise(layers.work_folder() / "run") if layers.blockwise() else None
        except SeisgrowError as exc:
            show_error(str(exc))
            return
        model.set_seeds_changed(False)
        model.set_session(None)
        model.set_suggestions([])  # a new run: the last one's places no longer apply
        model.stop_event = threading.Event()  # set by Stop or by closing, even before the session exists
        if blockwise is None:
            layers.show_grown(seeds)  # the grown layer starts as the seeds: epochs then update it in place
            shown, autosaver = layers.grown.data.copy(), self.files.autosaver()
        else:
            import dask.array as da

            layers.show_grown(da.from_array(seeds, chunks=seeds.chunks))
            shown, autosaver = None, None  # the work folder's Zarr stores are the record of the run
            show_info(f"Training blockwise; the grown labels are kept in {blockwise.work}")
        image = layers.image_layer()
        pretrained = None
        if blockwise is None and (self.prepare.running or self.prepare.weights(image, config) is not None):
            self.prepare.cancel()  # ends at its next step; training starts from what it learnt
            prep = self.prepare

            def pretrained():
                prep.done.wait(PREPARE_WAIT_S)
                return prep.weights(image, config)

        self.previews.start(shown)
        strat = layers.strat.waiter(image, STRAT_WAIT_S, model.stop_event)  # the background solve, when on its way
        self._start_worker(
            build_and_train, volume, seeds, config, shown, self._want_confidence, autosaver,
            model.stop_event, blockwise, strat, pretrained, self._want_doubt,
            self.previews.section_note.get, epochs=config.epochs,
        )  # fmt: skip

    def _want_confidence(self) -> bool:
        return self.model.want_confidence  # read by the worker: a plain bool the GUI thread sets

    def _want_doubt(self) -> bool:
        return self.model.want_doubt

    def continue_with_new_seeds(self) -> None:
        if self.running or self.session is None:
            return
        try:
            _, seeds, config = self._snapshot()
            kept = training_changes(self.session.config, config)
            self.session.continue_with(seeds, config.epochs, **config.last_growth())
        except SeisgrowError as exc:
            show_error(str(exc))
            return
        if kept:
            show_info(f"Continue keeps this run's {', '.join(kept)}: the new value(s) take effect with Train")
        self.model.set_seeds_changed(False)
        self.session.clear_stop()
        self._on_session(self.session)
        shown = None if self.layers.grown is None else self.layers.grown.data.copy()
        self.previews.start(shown)
        self._start_worker(
            train, self.session, shown, self._want_confidence, self.files.autosaver(), self._want_doubt,
            self.previews.section_note.get, epochs=self.session.config.epochs, first=self.session.epoch,
        )  # fmt: skip

    def _watch_window_close(self) -> None:
        """Hear the viewer's window close (the dock is inside it by the time anything trains)."""
        window = self.dock.window()
        if window is not self.dock and window is not (self._watched_window and self._watched_window()):
            window.installEventFilter(self)
            self._watched_window = weakref.ref(window)  # never keep napari's window alive

    def _start_worker(self, func, *args: Any, epochs: int, first: int = 0) -> None:
        model = self.model
        self._watch_window_close()
        model.closing = False
        # QProgressBar repaints the window at once (the canvas included): show the new range after
        # the click has returned, so the click stays short
        QTimer.singleShot(0, lambda: model.progress.emit(first, epochs))
        worker = create_worker(
            func,
            *args,
            _start_thread=False,
            _connect={"yielded": self._on_update, "errored": self._on_error, "finished": self._on_finished},
        )
        model.stop_requested = False
        if self.session is not None:
            model.stop_event = self.session.stop_event  # continuing: stop that session's own flag
        self._autosave_warned = False
        self._suggestion_warned = None
        self.files.restore_btn.setVisible(False)
        model.set_worker(worker)
        model.say("Training…" + model.corrections_note())
        worker.start()

    def _on_session(self, session: Session) -> None:
        self.adopt(session)
        if self.model.stop_requested:
            session.stop()
        self.model.device.emit(f"device: {session.device_name}")
        self.model.say(f"Training on {session.device_name}…{self.model.corrections_note()}")

    def adopt(self, session: Session | None) -> None:
        """``session`` becomes the dock's run (a new training's, or a loaded session's)."""
        self.model.set_session(session)
        self._keep_strat(session)

    def stop_training(self) -> None:
        model = self.model
        model.stop_requested = True
        model.stop_event.set()
        if self.session is not None:
            self.session.stop()
        if model.worker is not None:
            model.worker.quit()
        model.say("Stopping after the current batch…")

    def _on_update(self, update: Update | Session) -> None:
        model, layers = self.model, self.layers
        if model.closing:
            return  # an epoch that finished while the viewer closed: its layers are gone
        if isinstance(update, Session):
            self._on_session(update)
            return
        if isinstance(update, Preview):
            self.previews.apply(update)
            return
        if isinstance(update, Swept):
            self.previews.apply_swept(update)
            return
        r = update.report
        whole = self.previews.settle(r.grown)  # True: the pass's labels covered the layer, now the epoch's
        if not layers.present(layers.grown) or update.replace:
            layers.show_grown(r.grown)
        elif update.changed is not None and not whole:
            a, b = update.changed
            layers.grown.data[a:b] = r.grown[a:b]
            layers.grown.refresh()
        for note in r.notes:  # the engine changed something itself, e.g. a smaller batch after running out of memory
            show_warning(note)
            model.device.emit(f"device: {r.device}")
        if update.autosave_error and not self._autosave_warned:
            self._autosave_warned = True
            show_warning(f"Autosave failed (training goes on): {update.autosave_error}")
        if update.suggestion_error and update.suggestion_error != self._suggestion_warned:
            self._suggestion_warned = update.suggestion_error  # once per reason, not every epoch
            show_warning(f"No suggestions this epoch (the labels are shown): {update.suggestion_error}")
        if update.confidence is not None and model.want_confidence:
            layers.show_overlay("confidence", update.confidence)
        model.set_suggestions(update.suggestions)
        if update.doubt is not None and model.want_doubt:
            layers.show_overlay("doubt", update.doubt)
        # QProgressBar repaints synchronously when its value changes, taking every dirty region of
        # the window with it: show the figures a moment later, after the canvas has drawn the new
        # labels on its own, so the two paints are two short stalls rather than one long one
        self._pending_report = r
        self._progress_timer.start(PROGRESS_DELAY_MS)

    def _show_progress(self) -> None:
        r, self._pending_report = self._pending_report, None
        if r is None:
            return
        model = self.model
        model.progress.emit(r.epoch + 1, r.epochs)
        config = self.session.config if self.session is not None else self.settings.config()
        model.say(progress_text(r, config) + model.corrections_note())
        model.counts.emit(r.grown_counts, r.class_shares)

    def _on_error(self, exc: BaseException) -> None:
        show_error(f"Training stopped: {one_line(exc)}")

    def _on_finished(self) -> None:
        self.previews.settle(None)  # a stop during a preview: the last good labels come back
        self._show_progress()  # the last epoch's figures, if the event loop has not shown them yet
        self.model.set_worker(None)
        if self.session is not None and not self.session.done:
            self.model.say(self.model.status_text + "\nStopped; the last grown labels are kept.")

    def regrow(self) -> FunctionWorker | None:
        """Grow again from the last prediction with the panel's last-growth settings, in a worker
        thread: the completion may run inference passes over the whole volume, which must not
        freeze the viewer. Train, Grow and Continue wait until it is done."""
        if self.session is None or self.running:
            return None
        try:
            cfg = self.settings.config()
            overrides = {**cfg.last_growth(), "class_kinds": self.layers.classes.kinds()}
        except SeisgrowError as exc:
            show_error(str(exc))
            return None
        worker = create_worker(
            self.session.regrow, **overrides, _start_thread=False,
            _connect={"returned": self._on_regrown, "errored": self._on_regrow_error,
                      "finished": self._on_regrow_finished},
        )  # fmt: skip
        self.model.growing = True  # growth is not stopped half-way: the labels change at once when done
        self.model.set_worker(worker)
        self.model.say("Growing…")
        worker.start()
        return worker

    def _on_regrown(self, grown: Any) -> None:
        self.layers.show_grown(grown)
        layering = self.session.layering_note if self.session is not None else ""
        self.model.say(f"Re-grown: {100 * float((grown > 0).mean()):.1f}% of voxels labelled"
                       + (f"\n{layering}" if layering else ""))  # fmt: skip

    def _on_regrow_error(self, exc: BaseException) -> None:
        show_error(f"Grow failed (the labels are as they were): {one_line(exc)}")

    def _on_regrow_finished(self) -> None:
        self.model.growing = False
        self.model.set_worker(None)

    def _keep_strat(self, session: Session | None) -> None:
        """The session's coordinate serves the layer (and the next training) without a second solve,
        and its pretrained weights the next training from scratch."""
        if session is None:
            return
        try:
            image = self.layers.image_layer()
        except SeisgrowError:
            return
        self.prepare.keep(image, session.config, session.trainer.pretrained_weights)
        if session.strat is None:
            return
        self.layers.strat.keep(image, session.strat)
        if self.model.want_strat and self.layers.strat.layer is None:
            self.layers.strat.show(image)

    def _solve_in_background(self) -> None:
        """Solve the picked volume's stratigraphic coordinate while the user paints (in-memory runs)."""
        if self.running:
            return
        try:
            image = self.layers.image_layer()
            if self.layers.blockwise() or not self.settings.config().needs_strat:
                return
        except SeisgrowError:
            return
        self.layers.strat.solve(image)

    def maybe_prepare(self, *_: Any) -> None:
        """Start learning the picked volume in the background, when asked and not training; solve
        its stratigraphic coordinate in any case."""
        self._solve_in_background()
        if not self.model.learn:
            self.prepare.cancel()
            return
        if self.running:
            return
        try:
            image = self.layers.image_layer()
            if self.layers.blockwise():
                return  # a volume that does not fit in memory is not pretrained
            config = self.settings.config()
        except SeisgrowError:
            return
        self.prepare.start(image, config, self.layers.strat.known(image))

    def _show_preparation(self, text: str) -> None:
        if not self.running:
            self.model.say(text)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Stop a running training and wait for its thread, so nothing outlives the viewer."""
        model = self.model
        model.closing = True
        model.stop_event.set()
        self.prepare.cancel()
        if self.session is not None:
            self.session.stop()
        if model.worker is not None:
            model.worker.quit()
        if model.worker is not None or self.prepare.running or self.layers.strat.worker is not None:
            GeneratorWorker.await_workers(msecs=timeout_ms)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Close and self.running:
            self.shutdown()  # the viewer is closing: stop within a batch, not at the end of the epoch
        return super().eventFilter(obj, event)
