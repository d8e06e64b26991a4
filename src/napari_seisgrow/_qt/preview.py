"""The live preview: the networks' labels on the displayed section, a few training steps apart.

The worker predicts only the section on screen (read from a note the GUI thread keeps of it,
never from a layer) and yields it; here, on the GUI thread, it is written into the grown layer on
that one section and the status says it is a preview. The last good grown labels are kept
aside, so the epoch's labels, or a stop, put them back exactly.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..engine.predict import section_index
from ..engine.report import Preview
from .dock_layers import DockLayers
from .run_model import RunModel


class SectionNote:
    """The displayed section, as (axis, index) or None; written by the GUI thread, read by the worker."""

    def __init__(self) -> None:
        self.value: tuple[int, int] | None = None

    def get(self) -> tuple[int, int] | None:
        return self.value


class Previews:
    """Previews of the displayed section in the grown layer while training runs."""

    def __init__(self, layers: DockLayers, model: RunModel) -> None:
        self.layers = layers
        self.model = model
        self.viewer = layers.viewer
        self.section_note = SectionNote()
        self.previews_shown = 0
        self.first_preview_at: float | None = None  # time.perf_counter() of the first preview drawn
        self._previewed: tuple | None = None  # index of the section a preview now covers
        self._last_good: np.ndarray | None = None  # the grown labels the preview stands in front of
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

    def settle(self, good: Any) -> None:
        """Put ``good`` (the new epoch's labels; None: the last good ones) back where a preview was."""
        if isinstance(good, np.ndarray):
            self._last_good = good
        where, self._previewed = self._previewed, None
        layer = self.layers.grown
        if where is None or self._last_good is None or layer is None or layer not in self.viewer.layers:
            return
        if isinstance(layer.data, np.ndarray) and layer.data.shape == self._last_good.shape:
            layer.data[where] = self._last_good[where]
            layer.refresh()
