"""Reviewing the labels: confidence and doubt over the seismic, where to paint next, corrections.

"Next suggestion" shows the inline of the next suggested place, centres the view on it, outlines
it and says why. Corrections are painted with the right class over wrong grown labels on a
"corrections" layer drawn above them: the program never writes that layer (napari's own undo
works on it as on any Labels layer); the next training takes its strokes as seeds, on top of the
seeds layer's, and the seeds layer changes only when the user accepts the corrections into it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from napari.layers import Labels
from napari.utils.colormaps import DirectLabelColormap
from napari.utils.notifications import show_error, show_info, show_warning

from ..engine.review import doubt_map
from ..engine.suggest import Suggestion
from ..io import SeisgrowError
from .dock_layers import DockLayers
from .run_model import RunModel
from .training import confidence_image

SUGGESTION_NAME = "suggestion"
CORRECTIONS_NAME = "corrections"


class Review:
    """The overlays, the ranked places of the last epoch and the corrections, for one dock."""

    def __init__(self, layers: DockLayers, model: RunModel, on_painted: Callable[..., None]) -> None:
        self.layers = layers
        self.model = model
        self.viewer = layers.viewer
        self.on_painted = on_painted  # strokes on the corrections layer count as new seeds
        model.changed.connect(self._forget_outline)

    # ----------------------------------------------------------------- overlays
    def show_confidence(self, on: bool) -> None:
        session = self.model.session
        if on and session is not None and not self.model.running:
            conf = confidence_image(session)
            if conf is not None:
                self.layers.show_overlay("confidence", conf)
        elif not on:
            self.layers.hide_overlay("confidence")

    def show_doubt(self, on: bool) -> None:
        session = self.model.session
        if on and session is not None and not self.model.running and not session.labels_on_disk:
            if session.winner is not None:
                self.layers.show_overlay("doubt", doubt_map(session, networks=False))
        elif not on:
            self.layers.hide_overlay("doubt")

    def show_strat(self, on: bool) -> None:
        if not on:
            self.layers.strat.hide()
            return
        try:
            self.layers.strat.show(self.layers.image_layer())
        except SeisgrowError as exc:
            show_error(str(exc))

    # ----------------------------------------------------------------- suggestions
    def _forget_outline(self) -> None:
        if not self.model.suggestions and self.layers.present(self.layers.suggestion):
            self.viewer.layers.remove(self.layers.suggestion)
            self.layers.suggestion = None

    def next_suggestion(self) -> Suggestion | None:
        model = self.model
        if not model.suggestions:
            show_info("No suggestion yet: train first (they are ranked after every epoch)")
            return None
        n = len(model.suggestions)
        s, rank = model.suggestions[model.suggestion_index % n], model.suggestion_index % n + 1
        model.suggestion_index += 1
        self.go_to(s)
        names = {c.value: c.name for c in self.layers.classes.classes}
        inline = int(self.layers.geometry().inlines[s.inline])
        model.say(f"Suggestion {rank}/{n}: inline {inline}, a stroke in the outlined box\n{s.reason(names)}")
        return s

    def go_to(self, s: Suggestion) -> None:
        """Show the suggestion's inline with time running down, centred on its window, outlined."""
        viewer = self.viewer
        if viewer.dims.ndim == 3 and tuple(viewer.dims.displayed) != (2, 1):
            viewer.dims.order = (0, 2, 1)
        centre = self.layers.image_layer().data_to_world(s.centre)
        viewer.dims.set_point(0, float(centre[0]))
        viewer.camera.center = tuple(float(centre[d]) for d in viewer.dims.displayed)
        corners = np.array([[s.inline, s.traces[0], s.samples[0]], [s.inline, s.traces[1] - 1, s.samples[0]],
                            [s.inline, s.traces[1] - 1, s.samples[1] - 1], [s.inline, s.traces[0], s.samples[1] - 1]],
                           dtype=float)  # fmt: skip
        layers = self.layers
        if not layers.present(layers.suggestion):
            layers.suggestion = viewer.add_shapes(
                [corners], shape_type="rectangle", edge_color="yellow", face_color="transparent", edge_width=2,
                **layers.labels_kwargs(SUGGESTION_NAME),
            )  # fmt: skip
            layers.on_added()
        else:
            layers.suggestion.data = [corners]
            layers.suggestion.shape_type = ["rectangle"]
        viewer.layers.selection.active = layers.paint_target()

    # ----------------------------------------------------------------- corrections
    def start_correcting(self) -> Labels | None:
        """Make (or pick) the corrections layer and paint on it with the seeds' selected class."""
        layers = self.layers
        image = layers.image_or_warn()
        if image is None:
            return None
        if layers.blockwise():
            show_warning("corrections are not available for volumes too big for memory: paint on the seeds layer")
            return None
        layer = layers.corrections
        if layers.present(layer) and tuple(layer.data.shape) != tuple(image.data.shape):
            layer = None  # made for another volume: leave it, start one for this volume
        if not layers.present(layer):
            layer = self.viewer.add_labels(np.zeros(tuple(image.data.shape), np.uint8),
                                           **layers.labels_kwargs(CORRECTIONS_NAME))  # fmt: skip
            layer.colormap = DirectLabelColormap(color_dict=layers.classes.colour_dict())
            layer.events.paint.connect(self.on_painted)
            layers.corrections = layer
            layers.on_added()
        try:
            layer.selected_label = int(layers.seeds_layer().selected_label) or 1
        except SeisgrowError:
            layer.selected_label = 1
        self.viewer.layers.selection.active = layer
        layer.mode = "paint"  # after selecting it: napari may reset the mode of a layer it activates
        self.model.say("Correcting: paint the right class over wrong labels (Ctrl+Z undoes); "
                       "'Continue with new seeds' trains on them")  # fmt: skip
        return layer

    def corrections(self) -> np.ndarray | None:
        """The painted corrections (0 = none), or None when there is no corrections layer."""
        layer = self.layers.corrections
        return np.asarray(layer.data) if self.layers.present(layer) else None

    def with_corrections(self, seeds: np.ndarray) -> tuple[np.ndarray, int]:
        """The run's seeds: the user's, with the corrections painted over them; and how many voxels
        were corrected."""
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
            seeds = self.layers.seeds_layer()
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
        self.layers.corrections.data[...] = 0
        self.layers.corrections.refresh()
        self.model.say(f"{n} corrected voxels are now seeds in '{seeds.name}'")
        return n
