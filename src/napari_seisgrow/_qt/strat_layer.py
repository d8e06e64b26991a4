"""The "stratigraphic coordinate" layer: what the method sees of the layering, shown on request.

The coordinate is solved once per volume in a background thread (never on the GUI thread), kept
for the training that follows, and drawn as stripes of alternating tone every few samples of the
coordinate: where the method's layering is right, the stripes run along the reflectors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from napari.layers import Image
from napari.qt.threading import create_worker
from napari.utils.colormaps import Colormap

from ..engine.channels import StratGrid, StratValues, strat_for_volume

NAME = "stratigraphic coordinate"
BAND = 8.0  # samples of the coordinate per stripe
SMALL = 64_000_000  # voxels: below this the layer is one in-memory array, above it a lazy one


def banded_colormap(lo: float, hi: float, band: float = BAND) -> Colormap:
    """Alternating light and dark stripes every ``band`` units between ``lo`` and ``hi``."""
    n = max(2, int(np.ceil((hi - lo) / band)) + 1)
    controls = np.linspace(0.0, 1.0, n)
    light, dark = [0.98, 0.82, 0.25, 1.0], [0.15, 0.35, 0.85, 1.0]
    colors = np.array([light if k % 2 == 0 else dark for k in range(n)], dtype=np.float32)
    return Colormap(colors=colors, controls=controls, name="seisgrow stripes", interpolation="linear")


def layer_data(grid: StratGrid) -> Any:
    if int(np.prod(grid.shape)) <= SMALL:
        return grid.full()
    import dask.array as da

    return da.from_array(StratValues(grid), chunks=(1, *grid.shape[1:]), asarray=False, fancy=False)


class StratLayer:
    """Computes (once per volume), keeps and shows the coordinate for the widget."""

    def __init__(
        self,
        viewer: Any,
        layer_kwargs: Callable[[str], dict],
        on_error: Callable[[str], None],
        on_added: Callable[[], None] = lambda: None,
    ) -> None:
        self.viewer = viewer
        self.layer_kwargs = layer_kwargs
        self.on_error = on_error
        self.on_added = on_added  # the layer pickers must learn that this layer is not a seismic one
        self.layer: Image | None = None
        self.cache: dict[tuple, StratGrid] = {}
        self.worker = None
        self.done = threading.Event()  # set when the last solve started has ended, either way
        self._then: list[Callable[[StratGrid], None]] = []

    @staticmethod
    def key(image: Image) -> tuple:
        return (image.name, tuple(image.data.shape))

    def known(self, image: Image) -> StratGrid | None:
        return self.cache.get(self.key(image))

    def keep(self, image: Image, grid: StratGrid | None) -> None:
        if grid is not None and tuple(grid.shape) == tuple(image.data.shape):
            self.cache[self.key(image)] = grid

    def show(self, image: Image) -> None:
        """Show the coordinate of ``image``, computing it in the background when not known yet."""
        grid = self.known(image)
        if grid is not None:
            self._draw(grid)
            return
        self.solve(image, then=self._draw)

    def solve(self, image: Image, then: Callable[[StratGrid], None] | None = None) -> None:
        """Solve the coordinate of ``image`` in a background thread, unless known or on its way.

        The widget starts this as soon as a seismic layer is picked, so that by the time the user
        has painted and presses Train the coordinate is ready and the first preview comes seconds
        after the click, not after the solve.
        """
        grid = self.known(image)
        if grid is not None:
            if then is not None:
                then(grid)
            return
        if self.worker is not None:
            if then is not None:
                self._then.append(then)
            return  # already on its way
        key = self.key(image)
        self._then = [then] if then is not None else []
        self.done.clear()

        def done(result: StratGrid) -> None:
            self.worker = None
            self.cache[key] = result
            self.done.set()
            for f in self._then:
                f(result)
            self._then = []

        def failed(exc: BaseException) -> None:
            self.worker = None
            self.done.set()
            self._then = []
            self.on_error(f"stratigraphic coordinate failed: {exc}")

        self.worker = create_worker(strat_for_volume, image.data, _connect={"returned": done, "errored": failed})

    def waiter(
        self, image: Image, timeout_s: float, stop: threading.Event | None = None
    ) -> Callable[[], StratGrid | None]:
        """For a training worker: waits (at most ``timeout_s``, and only until ``stop`` is set) for
        a solve on its way, then gives the coordinate of ``image`` if it is known (else the
        training solves its own)."""
        key = self.key(image)
        running = self.worker is not None
        done = self.done

        def wait() -> StratGrid | None:
            if running:
                t0 = time.monotonic()
                while not done.wait(0.1) and time.monotonic() - t0 < timeout_s:
                    if stop is not None and stop.is_set():
                        break
            return self.cache.get(key)

        return wait

    def hide(self) -> None:
        if self.layer is not None and self.layer in self.viewer.layers:
            self.viewer.layers.remove(self.layer)
        self.layer = None

    def _draw(self, grid: StratGrid) -> None:
        lo, hi = float(grid.tau.min()), float(grid.tau.max())
        data = layer_data(grid)
        if self.layer is not None and self.layer in self.viewer.layers:
            self.layer.data = data
            self.layer.colormap = banded_colormap(lo, hi)
            self.layer.contrast_limits = (lo, hi)
            return
        self.layer = self.viewer.add_image(
            data, colormap=banded_colormap(lo, hi), contrast_limits=(lo, hi), opacity=0.35,
            blending="translucent", **self.layer_kwargs(NAME),
        )  # fmt: skip
        self.on_added()
