"""The data panel: which seismic and seeds layers to use, new seeds layers, and the class table.

It watches the picked seeds layer: a value painted for the first time gets a row in the class
table, and painting after a run has trained marks the seeds as changed in the run model (so
"Continue with new seeds" comes alive).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from napari.layers import Image, Labels
from napari.utils.colormaps import DirectLabelColormap
from napari.utils.notifications import show_info
from qtpy.QtCore import Signal
from qtpy.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..classes import MAX_VALUE, ClassTable
from ..io import SeisgrowError
from .classes_table import ClassTableWidget
from .dock_layers import DockLayers
from .run_model import RunModel
from .seeds_store import open_seeds_store


class DataPanel(QWidget):
    """Seismic and seeds pickers, "New seeds layer", and the class table."""

    refreshed = Signal()  # the layer lists were read again (a layer was added, removed or renamed)
    volume_changed = Signal()  # the user picked another seismic volume

    def __init__(self, layers: DockLayers, model: RunModel) -> None:
        super().__init__()
        self.layers = layers
        self.model = model
        self.viewer = layers.viewer
        self._watched: Labels | None = None
        self.image_combo = QComboBox()
        self.image_combo.setToolTip("The seismic volume to label")
        self.image_combo.currentIndexChanged.connect(self._picked_volume)
        self.seeds_combo = QComboBox()
        self.seeds_combo.setToolTip("The Labels layer you paint strokes on, one value per class")
        self.seeds_combo.currentIndexChanged.connect(self._picked_seeds)
        self.new_seeds_btn = QPushButton("New seeds layer")
        self.new_seeds_btn.clicked.connect(self.new_seeds_layer)
        self.class_table = ClassTableWidget(layers.classes, layers.apply_colours)
        add = QPushButton("Add class")
        add.clicked.connect(self.add_class)
        grid = QGridLayout()
        grid.addWidget(QLabel("Seismic"), 0, 0)
        grid.addWidget(self.image_combo, 0, 1, 1, 2)
        grid.addWidget(QLabel("Seeds"), 1, 0)
        grid.addWidget(self.seeds_combo, 1, 1)
        grid.addWidget(self.new_seeds_btn, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addWidget(self.class_table)
        layout.addWidget(add)
        layers.added.append(self.refresh)
        for ev in (self.viewer.layers.events.inserted, self.viewer.layers.events.removed):
            ev.connect(self.refresh)
        model.changed.connect(lambda: self.new_seeds_btn.setEnabled(not model.running))

    # ----------------------------------------------------------------- pickers
    def refresh(self, *_: Any) -> None:
        own = self.layers.own()
        for combo, kind in ((self.image_combo, Image), (self.seeds_combo, Labels)):
            current = combo.currentText()
            names = [layer.name for layer in self.viewer.layers if isinstance(layer, kind) and layer not in own]
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if current in names:
                combo.setCurrentText(current)
            combo.blockSignals(False)
        self.layers.picks.seismic = self.image_combo.currentText()
        self.layers.picks.seeds = self.seeds_combo.currentText()
        self.layers.forget_removed()
        self._watch_seeds()
        self.refreshed.emit()

    def pick_seeds(self, name: str) -> None:
        self.seeds_combo.setCurrentText(name)
        self._picked_seeds()

    def _picked_volume(self, *_: Any) -> None:
        self.layers.picks.seismic = self.image_combo.currentText()
        self.volume_changed.emit()

    def _picked_seeds(self, *_: Any) -> None:
        self.layers.picks.seeds = self.seeds_combo.currentText()
        self._watch_seeds()

    def new_seeds_layer(self) -> Labels | None:
        layers = self.layers
        image = layers.image_or_warn()
        if image is None:
            return None
        shape = tuple(image.data.shape)
        if layers.blockwise():
            data, message = open_seeds_store(layers.work_folder(), shape)  # a volume too big for memory
            show_info(message)
        else:
            data = np.zeros(shape, np.uint8)
        layer = self.viewer.add_labels(data, **layers.labels_kwargs("seeds"))
        layer.colormap = DirectLabelColormap(color_dict=layers.classes.colour_dict())
        layer.selected_label = 1
        self.pick_seeds(layer.name)
        layers.prepare_grown()  # the labels' layer, ready before Train (see DockLayers.prepare_grown)
        self.viewer.layers.selection.active = layer
        layer.mode = "paint"  # after selecting it: napari may reset the mode of a layer it activates
        if self.viewer.dims.ndim == 3 and tuple(self.viewer.dims.order) == (0, 1, 2):
            self.viewer.dims.order = (0, 2, 1)  # an inline section with time running down, as on a workstation
        return layer

    # ----------------------------------------------------------------- classes
    @property
    def classes(self) -> ClassTable:
        return self.layers.classes

    def add_class(self) -> None:
        value = max([c.value for c in self.classes.classes] + [0]) + 1
        self.classes.ensure(value)
        self.class_table.reload()
        self.layers.apply_colours()
        try:
            self.layers.seeds_layer().selected_label = value
        except SeisgrowError:
            pass

    def follow_classes(self, values: Any) -> bool:
        """Add a row to the class table for every painted value it lacks; True if any was added."""
        new = [int(v) for v in values if 0 < int(v) <= MAX_VALUE and int(v) not in self.classes.values()]
        for value in new:
            self.classes.ensure(value)
        if new:
            self.class_table.reload()
            self.layers.apply_colours()
        return bool(new)

    def _watch_seeds(self) -> None:
        try:
            layer = self.layers.seeds_layer()
        except SeisgrowError:
            layer = None
        if layer is self._watched or (layer is not None and self._watched is not None and layer == self._watched):
            return  # the same layer (napari hands plugins a new proxy of it each time)
        if self._watched is not None:
            self._watched.events.paint.disconnect(self.seeds_painted)
            self._watched.events.selected_label.disconnect(self._label_picked)
        self._watched = layer
        if layer is not None:
            layer.events.paint.connect(self.seeds_painted)
            layer.events.selected_label.connect(self._label_picked)
            self.follow_classes(painted_values(layer.data))
            self.layers.apply_colours()  # a picked layer shows the class colours at once

    def _label_picked(self, *_: Any) -> None:
        """napari's label spinner or its new-label button: the colour is already right (every value
        has one); the table gets the class when something is painted with it."""
        if self._watched is not None:
            self.class_table.highlight(int(self._watched.selected_label))

    def seeds_painted(self, event: Any = None) -> None:
        """Strokes on the seeds (or the corrections) layer: new classes join the table, and after a
        run the seeds are marked changed."""
        if self._watched is not None:
            self.follow_classes(stroke_values(event, self._watched.selected_label))
        if self.model.session is None:
            return
        if not self.model.seeds_changed:
            show_info("Seeds changed: 'Continue with new seeds' trains the current networks on them.")
        self.model.set_seeds_changed(True)


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
