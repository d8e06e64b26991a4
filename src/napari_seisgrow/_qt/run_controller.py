"""The run controller: starts, continues and stops training in a thread worker, applies each epoch's
report to the viewer, re-grows, and runs the background pretraining while the user paints."""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np
from napari.qt.threading import FunctionWorker, GeneratorWorker, create_worker
from napari.utils.notifications import show_error, show_info, show_warning
from qtpy.QtCore import QEvent

from ..engine.backend_blockwise import Blockwise
from ..engine.config import GrowConfig, training_changes
from ..engine.data import check_seeds
from ..engine.lazy import scan_seeds
from ..engine.report import Preview
from ..engine.session import Session
from ..io import SeisgrowError
from ..io.geometry import Volume
from .progress_text import progress_text
from .seeds_store import snapshot_store
from .training import Update, build_and_train, one_line, train

PROGRESS_DELAY_MS = 60
PREPARE_WAIT_S = 30.0  # Train waits at most this long for the pretraining to stop at its next step
STRAT_WAIT_S = 1800.0  # a training waits this long for the background solve of the coordinate, not solving twice


class RunControllerMixin:
    """Training's lifecycle as the user drives it (Train, Stop, Grow, Continue, closing the viewer)."""

    @property
    def running(self) -> bool:
        return self.worker is not None

    def _snapshot(self) -> tuple[Volume, np.ndarray, GrowConfig]:
        image, seeds = self.image_layer(), self.seeds_layer()
        if tuple(seeds.data.shape) != tuple(image.data.shape):
            shapes = f"{tuple(seeds.data.shape)} and seismic {tuple(image.data.shape)}"
            raise SeisgrowError(f"seeds {shapes} differ in shape; make a new seeds layer for this volume")
        self._corrected = 0
        if self.blockwise():
            snapshot = snapshot_store(seeds.data, self.work_folder() / "run")
            classes = np.unique(scan_seeds(snapshot, tuple(image.data.shape)).classes)
        else:
            snapshot = np.array(seeds.data, copy=True)  # the user's layer is never handed to the engine
            snapshot, self._corrected = self._with_corrections(snapshot)
            classes = np.unique(snapshot[snapshot > 0])
        for value in classes:
            self.classes.ensure(int(value))
        self.class_table.reload()
        config = self.settings.config().with_overrides(class_kinds=self.classes.kinds())
        return Volume(image.data, self.geometry()), snapshot, config

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
        self._set_suggestions([])  # a new run: the last one's places no longer apply
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

        self._start_previews(shown)
        strat = self.strat.waiter(image, STRAT_WAIT_S, self._stop_event)  # the background solve, when on its way
        self._start_worker(
            build_and_train, volume, seeds, config, shown, self._want_confidence, autosaver,
            self._stop_event, blockwise, strat, pretrained, self._want_doubt,
            self.section_note.get, epochs=config.epochs,
        )  # fmt: skip

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
        self.seeds_changed = False
        self.session.clear_stop()
        self._on_session(self.session)
        shown = None if self.grown_layer is None else self.grown_layer.data.copy()
        self._start_previews(shown)
        self._start_worker(
            train, self.session, shown, self._want_confidence, self._autosaver(), self._want_doubt,
            self.section_note.get, epochs=self.session.config.epochs, first=self.session.epoch,
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
            self._stop_event = self.session.stop_event  # continuing: stop that session's own flag
        self._autosave_warned = False
        self._suggestion_warned = None
        self.restore_btn.setVisible(False)
        self._set_running(True)
        self.status.setText("Training…" + self._corrections_note())
        worker.start()

    def _on_session(self, session: Session) -> None:
        self.session = session
        self._keep_strat(session)
        if self._stop_requested:
            session.stop()
        self.device_label.setText(f"device: {session.device_name}")
        self.status.setText(f"Training on {session.device_name}…{self._corrections_note()}")

    def _corrections_note(self) -> str:
        return f"\n{self._corrected} corrected voxels used as seeds" if self._corrected else ""

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
        if isinstance(update, Preview):
            self._apply_preview(update)
            return
        r = update.report
        self._settle_preview(r.grown)
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
        if update.suggestion_error and update.suggestion_error != self._suggestion_warned:
            self._suggestion_warned = update.suggestion_error  # once per reason, not every epoch
            show_warning(f"No suggestions this epoch (the labels are shown): {update.suggestion_error}")
        if update.confidence is not None and self.confidence_box.isChecked():
            self._show_confidence(update.confidence)
        self._set_suggestions(update.suggestions)
        if update.doubt is not None and self.doubt_box.isChecked():
            self._show_doubt(update.doubt)
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
        config = self.session.config if self.session is not None else self.settings.config()
        self.status.setText(progress_text(r, config) + self._corrections_note())
        self.class_table.set_counts(r.grown_counts)

    def _on_error(self, exc: BaseException) -> None:
        show_error(f"Training stopped: {one_line(exc)}")

    def _on_finished(self) -> None:
        self._settle_preview(None)  # a stop during a preview: the last good labels come back
        self._show_progress()  # the last epoch's figures, if the event loop has not shown them yet
        self.worker = None
        self._set_running(False)
        if self.session is not None and not self.session.done:
            self.status.setText(self.status.text() + "\nStopped; the last grown labels are kept.")

    def regrow(self) -> FunctionWorker | None:
        """Grow again from the last prediction with the panel's last-growth settings, in a worker
        thread: the completion may run inference passes over the whole volume, which must not
        freeze the viewer. Train, Grow and Continue wait until it is done."""
        if self.session is None or self.running:
            return None
        try:
            cfg = self.settings.config()
            overrides = {**cfg.last_growth(), "class_kinds": self.classes.kinds()}
        except SeisgrowError as exc:
            show_error(str(exc))
            return None
        worker = create_worker(
            self.session.regrow, **overrides, _start_thread=False,
            _connect={"returned": self._on_regrown, "errored": self._on_regrow_error,
                      "finished": self._on_regrow_finished},
        )  # fmt: skip
        self.worker = worker
        self._set_running(True)
        self.stop_btn.setEnabled(False)  # growth is not stopped half-way: the labels change at once when done
        self.status.setText("Growing…")
        worker.start()
        return worker

    def _on_regrown(self, grown: Any) -> None:
        self._show_grown(grown)
        self.status.setText(f"Re-grown: {100 * float((grown > 0).mean()):.1f}% of voxels labelled")

    def _on_regrow_error(self, exc: BaseException) -> None:
        show_error(f"Grow failed (the labels are as they were): {one_line(exc)}")

    def _on_regrow_finished(self) -> None:
        self.worker = None
        self._set_running(False)

    def _keep_strat(self, session: Session | None) -> None:
        """The session's coordinate serves the layer (and the next training) without a second solve,
        and its pretrained weights the next training from scratch."""
        if session is None:
            return
        try:
            image = self.image_layer()
        except SeisgrowError:
            return
        self.prepare.keep(image, session.config, session.trainer.pretrained_weights)
        if session.strat is None:
            return
        self.strat.keep(image, session.strat)
        if self.strat_box.isChecked() and self.strat.layer is None:
            self.strat.show(image)

    def _solve_in_background(self) -> None:
        """Solve the picked volume's stratigraphic coordinate while the user paints (in-memory runs)."""
        if self.running:
            return
        try:
            image = self.image_layer()
            if self.blockwise() or not self.settings.config().needs_strat:
                return
        except SeisgrowError:
            return
        self.strat.solve(image)

    def _maybe_prepare(self, *_: Any) -> None:
        """Start learning the picked volume in the background, when asked and not training; solve
        its stratigraphic coordinate in any case."""
        self._solve_in_background()
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
