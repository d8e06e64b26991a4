"""The viewer's layers the dock works on: the picked seismic and seeds, and the ones it draws.

The seismic and seeds layers are the user's (picked by name in the data panel); the grown labels,
confidence, doubt, corrections, suggestion outline and coordinate layers are the dock's own, added
once and then given each epoch's data on the GUI thread. Every part of the dock reaches the viewer
through this one object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from napari.layers import Image, Labels
from napari.utils.colormaps import DirectLabelColormap
from napari.utils.notifications import show_error, show_warning

from .._napari.layer_kwargs import METADATA_KEY, labels_layer_kwargs
from ..classes import ClassTable
from ..engine.factory import runs_blockwise
from ..io import SeisgrowError
from ..io.geometry import Geometry
from ..saved import autosave
from .strat_layer import StratLayer

GROWN_NAME = "grown"
CONFIDENCE_NAME = "confidence"
DOUBT_NAME = "doubt"
WORK_SUFFIX = ".seisgrow-work"
OVERLAYS = {  # kind: (layer name, colormap, opacity)
    "confidence": (CONFIDENCE_NAME, "magma", 0.8),
    "doubt": (DOUBT_NAME, "inferno", 0.7),
}


@dataclass
class Picks:
    """The seismic and seeds layers' names as the data panel shows them picked."""

    seismic: str = ""
    seeds: str = ""


class DockLayers:
    """The user's seismic and seeds layers (by the names in ``picks``) and the dock's own."""

    def __init__(self, viewer: Any, classes: ClassTable, picks: Picks) -> None:
        self.viewer = viewer
        self.classes = classes
        self.picks = picks
        self.added: list[Callable[[], None]] = []  # told when a layer of ours is added (pickers skip it)
        self.grown: Labels | None = None
        self.overlays: dict[str, Image | None] = dict.fromkeys(OVERLAYS)
        self.corrections: Labels | None = None
        self.suggestion: Any = None  # a Shapes layer outlining the current suggestion
        self.strat = StratLayer(viewer, self.labels_kwargs, show_error, self.on_added)

    def on_added(self) -> None:
        for listener in self.added:
            listener()

    def present(self, layer: Any) -> bool:
        return layer is not None and layer in self.viewer.layers

    def own(self) -> tuple:
        """Layers the dock made for its output: never offered as seismic or seeds."""
        return (self.grown, *self.overlays.values(), self.strat.layer, self.corrections, self.suggestion)

    def forget_removed(self) -> None:
        """The user deleted one of our layers: make it again when it is next needed."""
        if not self.present(self.grown):
            self.grown = None
        if not self.present(self.corrections):
            self.corrections = None
        for kind, layer in self.overlays.items():
            if not self.present(layer):
                self.overlays[kind] = None

    # ----------------------------------------------------------------- the user's layers
    def image_layer(self) -> Image:
        name = self.picks.seismic
        if not name or name not in self.viewer.layers:
            raise SeisgrowError("open a seismic volume first (File > Open, or the sample data)")
        return self.viewer.layers[name]

    def image_or_warn(self) -> Image | None:
        """The seismic layer, or None after saying (as a warning) why there is none."""
        try:
            return self.image_layer()
        except SeisgrowError as exc:
            show_warning(str(exc))
            return None

    def seeds_layer(self) -> Labels:
        name = self.picks.seeds
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
        """Whether the open volume is too big for an in-memory run here: then seeds live in a Zarr
        store, training runs blockwise and the grown layer is read from its Zarr store."""
        return runs_blockwise(tuple(self.image_layer().data.shape))

    def work_folder(self) -> Path:
        """Beside the source file when its folder is writable (like the autosave), else user data."""
        return autosave.folder_for(self.geometry().source, self.image_layer().name, WORK_SUFFIX)

    def volume_key(self) -> tuple[str | None, str]:
        return self.geometry().source, self.image_layer().name

    def labels_kwargs(self, name: str) -> dict:
        """Layer arguments that put a new layer exactly over the seismic as it is displayed."""
        image = self.image_layer()
        kwargs = labels_layer_kwargs(self.geometry(), name)
        kwargs.update(scale=tuple(image.scale), translate=tuple(image.translate),
                      axis_labels=tuple(image.axis_labels), units=tuple(image.units))  # fmt: skip
        return kwargs

    def apply_colours(self) -> None:
        """The class table's colours on the seeds, grown and corrections layers."""
        cmap = self.classes.colour_dict()
        layers = [self.grown, self.corrections]
        try:
            layers.append(self.seeds_layer())
        except SeisgrowError:
            pass
        for layer in layers:
            if self.present(layer):
                layer.colormap = DirectLabelColormap(color_dict=cmap)

    def paint_target(self) -> Any:
        """Where the user paints: the corrections layer when correcting, else the seeds."""
        if self.present(self.corrections):
            return self.corrections
        try:
            return self.seeds_layer()
        except SeisgrowError:
            return self.grown

    # ----------------------------------------------------------------- the dock's layers
    def prepare_grown(self) -> None:
        """An empty grown layer over the seismic, made when the seeds layer is (before Train): adding
        a Labels layer and its first draw cost napari 0.2-0.4 s, which Train then does not pay."""
        image = self.image_layer()
        if self.present(self.grown) and tuple(self.grown.data.shape) == tuple(image.data.shape):
            return
        if self.blockwise():
            return  # a blockwise run shows its Zarr store of labels, made at Train
        self.show_grown(np.zeros(tuple(image.data.shape), np.uint8))

    def show_grown(self, labels: Any) -> None:
        lazy = not isinstance(labels, np.ndarray)
        if lazy and self.present(self.grown):
            self.grown.data = labels  # a Zarr store of this epoch: napari reads what is on screen
            return
        if self.present(self.grown) and tuple(self.grown.data.shape) != tuple(labels.shape):
            self.viewer.layers.remove(self.grown)  # made for another volume
            self.grown = None
        if not self.present(self.grown):
            data = labels if lazy else np.array(labels)
            self.grown = self.viewer.add_labels(data, opacity=0.6, **self.labels_kwargs(GROWN_NAME))
            self.apply_colours()
            self.on_added()
        elif not isinstance(self.grown.data, np.ndarray):
            self.grown.data = np.array(labels)
        else:
            self.grown.data[...] = labels
            self.grown.refresh()

    def replace_grown(self, labels: np.ndarray) -> None:
        """A new grown layer (a loaded session's labels), in place of the one shown."""
        if self.present(self.grown):
            self.viewer.layers.remove(self.grown)
        self.grown = self.viewer.add_labels(labels, opacity=0.6, **self.labels_kwargs(GROWN_NAME))

    def show_overlay(self, kind: str, data: np.ndarray) -> None:
        """A 0..1 image over the seismic (``OVERLAYS``): added once, then given each epoch's new
        array (napari re-slices only what is on screen); painting goes on where it went."""
        layer = self.overlays[kind]
        if self.present(layer):
            layer.data = data
            return
        name, colormap, opacity = OVERLAYS[kind]
        self.overlays[kind] = self.viewer.add_image(
            data, colormap=colormap, contrast_limits=(0.0, 1.0), opacity=opacity, blending="translucent",
            **self.labels_kwargs(name),
        )  # fmt: skip
        self.on_added()
        self.viewer.layers.selection.active = self.paint_target()

    def hide_overlay(self, kind: str) -> None:
        layer, self.overlays[kind] = self.overlays[kind], None
        if self.present(layer):
            self.viewer.layers.remove(layer)
