"""The layers the widget draws: grown labels, confidence and the stratigraphic coordinate."""

from __future__ import annotations

from typing import Any

import numpy as np
from napari.utils.notifications import show_error

from ..io import SeisgrowError
from .training import confidence_image

GROWN_NAME = "grown"
CONFIDENCE_NAME = "confidence"


class DisplayMixin:
    """Adds or updates the widget's own layers, always on the GUI thread."""

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

    def _show_overlay(self, attr: str, name: str, data: np.ndarray, colormap: str, opacity: float) -> None:
        """A 0..1 image over the seismic (confidence, doubt), kept in ``self.<attr>``: added once,
        then given each epoch's new array (napari re-slices only what is on screen)."""
        layer = getattr(self, attr)
        if layer is not None and layer in self.viewer.layers:
            layer.data = data
            return
        kwargs = self._labels_kwargs(name)
        layer = self.viewer.add_image(
            data, colormap=colormap, contrast_limits=(0.0, 1.0), opacity=opacity, blending="translucent", **kwargs
        )
        setattr(self, attr, layer)
        self._refresh_layers()  # added before it was known as ours: take it off the seismic picker
        self.viewer.layers.selection.active = self._paint_target()  # painting goes on where it went

    def _show_confidence(self, conf: np.ndarray) -> None:
        self._show_overlay("confidence_layer", CONFIDENCE_NAME, conf, "magma", 0.8)

    def _confidence_toggled(self, on: bool) -> None:
        if on and self.session is not None and not self.running:
            conf = confidence_image(self.session)
            if conf is not None:
                self._show_confidence(conf)
        elif not on and self.confidence_layer is not None and self.confidence_layer in self.viewer.layers:
            self.viewer.layers.remove(self.confidence_layer)
            self.confidence_layer = None

    def _strat_toggled(self, on: bool) -> None:
        if not on:
            self.strat.hide()
            return
        try:
            self.strat.show(self.image_layer())
        except SeisgrowError as exc:
            show_error(str(exc))
