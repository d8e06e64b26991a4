"""Corrections that teach: the user paints the right class over wrong grown labels on a
"corrections" layer drawn above them. The program never writes that layer (napari's own undo works
on it as on any Labels layer); the next training takes its strokes as seeds, on top of the seeds
layer's, and the seeds layer itself changes only when the user accepts the corrections into it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from napari.layers import Labels
from napari.utils.colormaps import DirectLabelColormap
from napari.utils.notifications import show_info, show_warning

from ..io import SeisgrowError

CORRECTIONS_NAME = "corrections"


class CorrectionsMixin:
    """A corrections layer per volume, merged into the seeds of the next training."""

    corrections_layer: Labels | None

    def start_correcting(self) -> Labels | None:
        """Make (or pick) the corrections layer and paint on it with the class under the cursor's choice."""
        try:
            image = self.image_layer()
        except SeisgrowError as exc:
            show_warning(str(exc))
            return None
        if self.blockwise():
            show_warning("corrections are not available for volumes too big for memory: paint on the seeds layer")
            return None
        layer = self.corrections_layer
        if layer is not None and layer in self.viewer.layers and tuple(layer.data.shape) != tuple(image.data.shape):
            layer = None  # made for another volume: leave it, start one for this volume
        if layer is None or layer not in self.viewer.layers:
            data = np.zeros(tuple(image.data.shape), np.uint8)
            layer = self.viewer.add_labels(data, **self._labels_kwargs(CORRECTIONS_NAME))
            layer.colormap = DirectLabelColormap(color_dict=self.classes.colour_dict())
            layer.events.paint.connect(self._seeds_painted)
            self.corrections_layer = layer
            self._refresh_layers()
        try:
            layer.selected_label = int(self.seeds_layer().selected_label) or 1
        except SeisgrowError:
            layer.selected_label = 1
        self.viewer.layers.selection.active = layer
        layer.mode = "paint"  # after selecting it: napari may reset the mode of a layer it activates
        self.status.setText(
            "Correcting: paint the right class over wrong labels (Ctrl+Z undoes); "
            "'Continue with new seeds' trains on them"
        )
        return layer

    def corrections(self) -> np.ndarray | None:
        """The painted corrections (0 = none), or None when there is no corrections layer."""
        layer = self.corrections_layer
        if layer is None or layer not in self.viewer.layers:
            return None
        return np.asarray(layer.data)

    def _with_corrections(self, seeds: np.ndarray) -> tuple[np.ndarray, int]:
        """The run's seeds: the user's, with the corrections painted over them; and how many voxels were corrected."""
        corr = self.corrections()
        if corr is None or corr.shape != seeds.shape or not isinstance(seeds, np.ndarray):
            return seeds, 0
        painted = corr > 0
        n = int(painted.sum())
        if n == 0:
            return seeds, 0
        return np.where(painted, corr, seeds).astype(seeds.dtype), n

    def accept_corrections(self) -> int:
        """Copy the corrections into the seeds layer (the one place the program writes it, on request)."""
        corr = self.corrections()
        if corr is None or not corr.any():
            show_info("There are no corrections to accept")
            return 0
        try:
            seeds = self.seeds_layer()
        except SeisgrowError as exc:
            show_warning(str(exc))
            return 0
        if tuple(seeds.data.shape) != corr.shape:
            show_warning(f"the corrections {corr.shape} do not fit the seeds layer {tuple(seeds.data.shape)}")
            return 0
        painted = corr > 0
        n = int(painted.sum())
        seeds.data[painted] = corr[painted]
        seeds.refresh()
        self.corrections_layer.data[...] = 0
        self.corrections_layer.refresh()
        self.status.setText(f"{n} corrected voxels are now seeds in '{seeds.name}'")
        return n

    def _corrections_gone(self, *_: Any) -> None:
        if self.corrections_layer is not None and self.corrections_layer not in self.viewer.layers:
            self.corrections_layer = None
