"""The live preview: the networks' labels on the displayed section, a few training steps apart,
then on the whole volume as the epoch's pass finishes it.

The worker predicts only the section on screen (read from a note the GUI thread keeps of it,
never from a layer) and yields it; here, on the GUI thread, it is written into the grown layer on
that one section and the status says it is a preview. During the epoch's whole-volume pass the
worker yields the sections the pass has finished, the one on screen first and then spread
across the volume (``predict.coarse_first``); they are written in as they come, so the labels
fill in behind the section the interpreter looks at, and the status says how much of the volume
is current. The last good grown labels are kept aside, so the epoch's labels, or a stop, put
them back exactly.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from qtpy.QtCore import QTimer

from ..engine.predict import section_index
from ..engine.report import Preview, Swept
from .dock_layers import DockLayers
from .run_model import RunModel


class SectionNote:
    """The displayed section, as (axis, index) or None; written by the GUI thread, read by the worker."""

    def __init__(self) -> None:
        self.value: tuple[int, int] | None = None

    def get(self) -> tuple[int, int] | None:
        return self.value


def sweep_status(s: Swept) -> str:
    """What the status says while an epoch's pass fills the volume in: how much of it is current."""
    head = f"Epoch {s.epoch + 1}: the networks' labels "
    if s.final:
        return (head + f"final on {100 * s.current:.0f}% of the volume ({100 * s.done:.0f}% predicted), the section "
                "on screen first; the grown labels follow")  # fmt: skip
    return (head + f"from one orientation so far ({100 * s.done:.0f}% of the volume predicted), "
            "the section on screen first; the grown labels follow")  # fmt: skip


SWEEP_REDRAW_MS = 250  # the pass's sections are written into the layer as they come, drawn at most this often


class Previews:
    """Previews of the displayed section, then of the epoch's pass, in the grown layer while
    training runs."""

    def __init__(self, layers: DockLayers, model: RunModel) -> None:
        self.layers = layers
        self.model = model
        self.viewer = layers.viewer
        self.section_note = SectionNote()
        self.previews_shown = 0
        self.first_preview_at: float | None = None  # time.perf_counter() of the first preview drawn
        self._previewed: tuple | None = None  # index of the section a preview now covers
        self._last_good: np.ndarray | None = None  # the grown labels the preview stands in front of
        self._swept: dict[int, set[int]] = {}  # per axis, the sections the pass's labels were written to
        self._drawn_at = 0.0  # time.perf_counter() of the last draw of the pass's labels
        self._pending: Swept | None = None  # the latest pass step not yet drawn
        self._redraw = QTimer()
        self._redraw.setSingleShot(True)
        self._redraw.timeout.connect(self._draw_swept)
        dims = self.viewer.dims
        for ev in (dims.events.current_step, dims.events.ndisplay, dims.events.order):
            ev.connect(self.note_shown_section)

    def _displayed_section(self) -> tuple[int, int] | None:
        """(axis, index) of the inline (0) or crossline (1) on screen, in the grown layer's data."""
        layer, dims = self.layers.grown, self.viewer.dims
        if layer is None or layer not in self.viewer.layers or dims.ndisplay != 2 or layer.ndim != 3:
            return None
        hidden = [a - (dims.ndim - 3) for a in dims.not_displayed if a >= dims.ndim - 3]
        if len(hidden) != 1 or hidden[0] not in (0, 1):
            return None
        axis = hidden[0]
        index = int(np.round(layer.world_to_data(dims.point)[axis]))
        return (axis, index) if 0 <= index < layer.data.shape[axis] else None

    def note_shown_section(self, *_: Any) -> None:
        self.section_note.value = self._displayed_section()

    def start(self, last_good: Any) -> None:
        """A run begins: ``last_good`` is what the grown layer shows; previews are drawn only over an
        in-memory array (a blockwise run's labels are a lazy store, and its worker makes none)."""
        self._last_good = last_good if isinstance(last_good, np.ndarray) else None
        self._previewed = None
        self._swept, self._pending = {}, None
        self.previews_shown, self.first_preview_at = 0, None
        self.note_shown_section()

    def apply(self, p: Preview) -> None:
        layer = self.layers.grown
        if self._last_good is None or layer is None or layer not in self.viewer.layers:
            return
        if not isinstance(layer.data, np.ndarray) or layer.data.shape != self._last_good.shape:
            return
        where = section_index(p.axis, p.index)
        if layer.data[where].shape != p.labels.shape:
            return
        if self._previewed is not None and self._previewed != where:
            layer.data[self._previewed] = self._last_good[self._previewed]
        self._previewed = where
        layer.data[where] = p.labels
        layer.refresh()
        self.previews_shown += 1
        if self.first_preview_at is None:
            self.first_preview_at = time.perf_counter()
        name = "inline" if p.axis == 0 else "crossline"
        self.model.say(f"Preview on this {name}: the networks' labels at epoch {p.epoch + 1}, step {p.step}, "
                       "before growth; the epoch's grown labels replace it")  # fmt: skip

    def _writable(self) -> Any:
        """The grown layer, when previews can be written into it (an in-memory array of the run's shape)."""
        layer = self.layers.grown
        if self._last_good is None or layer is None or layer not in self.viewer.layers:
            return None
        if not isinstance(layer.data, np.ndarray) or layer.data.shape != self._last_good.shape:
            return None
        return layer

    def apply_swept(self, s: Swept) -> None:
        """Write the sections the epoch's pass has finished into the grown layer (drawn a moment
        later, with whatever else arrives meanwhile, so many small steps cost one redraw)."""
        layer = self._writable()
        if layer is None:
            return
        for i, labels in zip(s.indices, s.labels, strict=True):
            where = section_index(s.axis, i)
            if layer.data[where].shape != labels.shape:
                return
            layer.data[where] = labels
            self._swept.setdefault(s.axis, set()).add(i)
        self._pending = s
        wait_ms = SWEEP_REDRAW_MS - 1000 * (time.perf_counter() - self._drawn_at)
        if wait_ms <= 0:
            self._draw_swept()  # the first of a while (the section on screen): drawn at once
        elif not self._redraw.isActive():
            self._redraw.start(int(wait_ms))

    def _draw_swept(self) -> None:
        self._redraw.stop()
        self._drawn_at = time.perf_counter()
        s, self._pending = self._pending, None
        layer = self._writable()
        if s is None or layer is None:
            return
        layer.refresh()
        self.model.say(sweep_status(s))

    def settle(self, good: Any) -> bool:
        """Put ``good`` (the new epoch's labels; None: the last good ones) back where a preview or
        the pass's labels were. True when that covered the whole volume (the pass had finished it):
        the layer then holds ``good`` already."""
        if isinstance(good, np.ndarray):
            self._last_good = good
        self._redraw.stop()
        where, self._previewed = self._previewed, None
        swept, self._swept, self._pending = self._swept, {}, None
        layer = self._writable()
        if layer is None or (where is None and not swept):
            return False
        assert self._last_good is not None
        whole = any(len(done) == layer.data.shape[axis] for axis, done in swept.items())
        if whole:
            layer.data[...] = self._last_good
        else:
            if where is not None:
                layer.data[where] = self._last_good[where]
            for axis, done in swept.items():
                for i in done:
                    at = section_index(axis, i)
                    layer.data[at] = self._last_good[at]
        layer.refresh()
        return whole
