"""Where to paint next, in the viewer: the doubt layer, and "Next suggestion", which shows the
inline of the next suggested place, centres the view on it, outlines it and says why."""

from __future__ import annotations

from typing import Any

import numpy as np
from napari.utils.notifications import show_info

from ..engine.suggest import Suggestion
from ..io import SeisgrowError

SUGGESTION_NAME = "suggestion"
DOUBT_NAME = "doubt"


class SuggestionsMixin:
    """The ranked places of the last epoch, and stepping through them."""

    suggestions: list[Suggestion]
    _suggestion_index: int

    def _set_suggestions(self, places: list[Suggestion] | None) -> None:
        """New places after an epoch ("Next suggestion" starts again from the best one); [] forgets them."""
        if places is None:
            return
        if not places and self.suggestion_layer is not None and self.suggestion_layer in self.viewer.layers:
            self.viewer.layers.remove(self.suggestion_layer)
            self.suggestion_layer = None
        self.suggestions = list(places)
        self._suggestion_index = 0
        self.next_btn.setEnabled(bool(self.suggestions))
        self.next_btn.setToolTip(
            f"{len(self.suggestions)} places ranked after the last epoch" if self.suggestions else "no doubtful place"
        )

    def next_suggestion(self) -> Suggestion | None:
        if not self.suggestions:
            show_info("No suggestion yet: train first (they are ranked after every epoch)")
            return None
        s = self.suggestions[self._suggestion_index % len(self.suggestions)]
        rank = self._suggestion_index % len(self.suggestions) + 1
        self._suggestion_index += 1
        self._go_to(s)
        names = {c.value: c.name for c in self.classes.classes}
        inline = int(self.geometry().inlines[s.inline])
        where = f"Suggestion {rank}/{len(self.suggestions)}: inline {inline}, a stroke in the outlined box"
        self.status.setText(f"{where}\n{s.reason(names)}")
        return s

    def _go_to(self, s: Suggestion) -> None:
        """Show the suggestion's inline with time running down, centred on its window, outlined."""
        viewer = self.viewer
        image = self.image_layer()
        if viewer.dims.ndim == 3 and tuple(viewer.dims.displayed) != (2, 1):
            viewer.dims.order = (0, 2, 1)
        centre = image.data_to_world(s.centre)
        viewer.dims.set_point(0, float(centre[0]))
        viewer.camera.center = tuple(float(centre[d]) for d in viewer.dims.displayed)
        self._outline(s)

    def _outline(self, s: Suggestion) -> None:
        corners = np.array(
            [
                [s.inline, s.traces[0], s.samples[0]],
                [s.inline, s.traces[1] - 1, s.samples[0]],
                [s.inline, s.traces[1] - 1, s.samples[1] - 1],
                [s.inline, s.traces[0], s.samples[1] - 1],
            ],
            dtype=float,
        )
        layer = self.suggestion_layer
        if layer is None or layer not in self.viewer.layers:
            kwargs = self._labels_kwargs(SUGGESTION_NAME)
            self.suggestion_layer = self.viewer.add_shapes(
                [corners], shape_type="rectangle", edge_color="yellow", face_color="transparent", edge_width=2,
                **kwargs,
            )  # fmt: skip
        else:
            layer.data = [corners]
            layer.shape_type = ["rectangle"]
        self.viewer.layers.selection.active = self._paint_target()

    def _paint_target(self) -> Any:
        """Keep painting where the user paints (the corrections layer when correcting, else the seeds)."""
        if self.corrections_layer is not None and self.corrections_layer in self.viewer.layers:
            return self.corrections_layer
        try:
            return self.seeds_layer()
        except SeisgrowError:
            return self.grown_layer

    def _show_doubt(self, doubt: np.ndarray) -> None:
        self._show_overlay("doubt_layer", DOUBT_NAME, doubt, "inferno", 0.7)

    def _doubt_toggled(self, on: bool) -> None:
        session = self.session
        if on and session is not None and not self.running and not session.labels_on_disk:
            if session.winner is not None:
                self._show_doubt(session.doubt_map(networks=False))
        elif not on and self.doubt_layer is not None and self.doubt_layer in self.viewer.layers:
            self.viewer.layers.remove(self.doubt_layer)
            self.doubt_layer = None
