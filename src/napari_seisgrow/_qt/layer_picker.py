"""Which layers the widget works on: the seismic and seeds pickers, new seeds layers (in memory or a
Zarr store for volumes too big for memory), and the class table following what is painted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from napari.layers import Image, Labels
from napari.utils.colormaps import DirectLabelColormap
from napari.utils.notifications import show_info, show_warning

from .._napari.layer_kwargs import METADATA_KEY, labels_layer_kwargs
from ..classes import MAX_VALUE
from ..engine.factory import runs_blockwise
from ..io import SeisgrowError
from ..io.geometry import Geometry
from ..saved import autosave
from .seeds_store import open_seeds_store

WORK_SUFFIX = ".seisgrow-work"


class LayerPickerMixin:
    """The seismic and seeds layers, their geometry, and the classes painted on the seeds."""

    def _refresh_layers(self, *_: Any) -> None:
        for combo, kind in ((self.image_combo, Image), (self.seeds_combo, Labels)):
            current = combo.currentText()
            names = [
                layer.name for layer in self.viewer.layers
                if isinstance(layer, kind) and layer not in self._own_layers()
            ]  # fmt: skip
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if current in names:
                combo.setCurrentText(current)
            combo.blockSignals(False)
        if self.grown_layer is not None and self.grown_layer not in self.viewer.layers:
            self.grown_layer = None
        self._corrections_gone()
        self._watch_seeds()
        self._offer_autosave()
        self._solve_in_background()  # the picked volume's coordinate, ready by the time Train is pressed

    def _own_layers(self) -> tuple:
        """Layers the widget made for its own output: never offered as seismic or seeds."""
        return (self.grown_layer, self.confidence_layer, self.strat.layer, self.doubt_layer, self.corrections_layer)

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
        return runs_blockwise(tuple(self.image_layer().data.shape))

    def work_folder(self) -> Path:
        """Beside the source file when its folder is writable (like the autosave), else user data."""
        source = self.geometry().source
        return autosave.folder_for(source, self.image_layer().name, WORK_SUFFIX)

    def _seeds_store(self, shape: tuple[int, ...]):
        """The seeds of a volume too big for memory: a Zarr store, opened again if it exists."""
        store, message = open_seeds_store(self.work_folder(), shape)
        show_info(message)
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
        if layer is self._watched or (layer is not None and self._watched is not None and layer == self._watched):
            return  # the same layer (napari hands plugins a new proxy of it each time)
        if self._watched is not None:
            self._watched.events.paint.disconnect(self._seeds_painted)
            self._watched.events.selected_label.disconnect(self._label_picked)
        self._watched = layer
        if layer is not None:
            layer.events.paint.connect(self._seeds_painted)
            layer.events.selected_label.connect(self._label_picked)
            self.follow_classes(painted_values(layer.data))
            self._apply_colours()  # a picked layer shows the class colours at once

    def follow_classes(self, values: Any) -> bool:
        """Add a row to the class table for every painted value it lacks; True if any was added."""
        new = [int(v) for v in values if 0 < int(v) <= MAX_VALUE and int(v) not in self.classes.values()]
        for value in new:
            self.classes.ensure(value)
        if new:
            self.class_table.reload()
            self._apply_colours()
        return bool(new)

    def _label_picked(self, *_: Any) -> None:
        """napari's label spinner or its new-label button: the colour is already right (every value has
        one); the table gets the class when something is painted with it."""
        if self._watched is not None:
            self.class_table.highlight(int(self._watched.selected_label))

    def _seeds_painted(self, event: Any = None) -> None:
        if self._watched is not None:
            self.follow_classes(stroke_values(event, self._watched.selected_label))
        if self.session is None:
            return
        if not self.seeds_changed:
            self.seeds_changed = True
            show_info("Seeds changed: 'Continue with new seeds' trains the current networks on them.")
        self.restart_btn.setEnabled(True)


def painted_values(data: Any) -> list[int]:
    """The class values on a seeds layer held in memory (a Zarr store is scanned at Train instead:
    reading a whole survey's seeds on every pick would stall the viewer)."""
    if not isinstance(data, np.ndarray) or data.size == 0:
        return []
    if data.dtype.kind == "u" and data.dtype.itemsize == 1:
        return [int(v) for v in np.flatnonzero(np.bincount(data.ravel(), minlength=256))]
    return [int(v) for v in np.unique(data)]


def stroke_values(event: Any, selected: int) -> list[int]:
    """The values a paint event wrote: its undo atoms name them; the selected label covers the rest."""
    values = {int(selected)}
    for atom in getattr(event, "value", None) or ():
        if isinstance(atom, tuple) and len(atom) == 3 and np.ndim(atom[2]) == 0:
            values.add(int(atom[2]))
    return sorted(values)
