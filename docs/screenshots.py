"""Real screenshots for the user guide: the widget on the sample, under Xvfb.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots.py

Writes docs/images/seeds.png (seeds painted), training.png (grown labels mid-training),
final.png (the result), strat.png (the stratigraphic coordinate on a real F3 inline),
suggestion.png (the doubt layer and the first suggestion) and corrections.png (a correction
painted over the grown labels), each a capture of the whole napari window. ``--only strat`` or
``--only where`` takes those alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp())
os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp())  # autosaves go here, not to the user's folder

OUT = Path(__file__).resolve().parent / "images"


def _sample_with_scribbles(n_inlines: int):
    """A viewer with the sample open, the widget docked and scribbles on ``n_inlines`` inlines
    painted on a new seeds layer, classes named: (viewer, widget, truth layer)."""
    import napari

    from napari_seisgrow.synthetic import CLASS_NAMES, seed_scribbles

    OUT.mkdir(exist_ok=True)
    viewer = napari.Viewer(show=True)
    viewer.window.resize(1500, 950)
    viewer.open_sample("napari-seisgrow", "synthetic")
    viewer.layers.remove("seeds")
    truth = viewer.layers["truth"]
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    seeds = widget.data.new_seeds_layer()
    seeds.data[...] = seed_scribbles(truth.data, n_inlines=n_inlines, seed=0)
    seeds.refresh()
    for v, name in enumerate(CLASS_NAMES, start=1):
        widget.layers.classes.ensure(v).name = name
    widget.data.class_table.reload()
    widget.layers.apply_colours()
    return viewer, widget, truth


def main() -> None:
    import napari
    from qtpy.QtCore import QEventLoop

    from napari_seisgrow.engine import GrowConfig

    viewer, widget, _ = _sample_with_scribbles(3)
    viewer.dims.set_point(0, float(viewer.layers["synthetic seismic"].translate[0] + 48))
    viewer.reset_view()
    app = napari.qt.get_qapp()
    app.processEvents()
    viewer.screenshot(str(OUT / "seeds.png"), canvas_only=False)

    widget.settings.set_config(GrowConfig(epochs=8))
    widget.run.start_training()
    loop = QEventLoop()
    shots = {"n": 0}

    def on_update(update):
        if not hasattr(update, "report"):
            return
        shots["n"] += 1
        if update.report.epoch == 3:
            app.processEvents()
            viewer.screenshot(str(OUT / "training.png"), canvas_only=False)

    widget.model.worker.yielded.connect(on_update)
    widget.model.worker.finished.connect(loop.quit)
    loop.exec()
    app.processEvents()
    viewer.screenshot(str(OUT / "final.png"), canvas_only=False)
    viewer.close()


def strat() -> None:
    """A real F3 inline with the stratigraphic coordinate shown over it."""
    import napari
    from qtpy.QtCore import QEventLoop, QTimer

    from napari_seisgrow._qt.strat_layer import NAME

    OUT.mkdir(exist_ok=True)
    viewer = napari.Viewer(show=True)
    viewer.window.resize(1500, 950)
    section = Path(__file__).resolve().parents[2] / "shared" / "data" / "f3-sections" / "f3_inline_230.sgy"
    viewer.open(str(section), plugin="napari-seisgrow")
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    viewer.dims.ndisplay = 2
    viewer.dims.order = (0, 2, 1) if viewer.layers[0].data.shape[0] == 1 else viewer.dims.order
    widget.reviewing.strat_box.setChecked(True)
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if NAME in viewer.layers else None)
    timer.start(200)
    loop.exec()
    viewer.reset_view()
    app = napari.qt.get_qapp()
    app.processEvents()
    viewer.screenshot(str(OUT / "strat.png"), canvas_only=False)
    viewer.close()


def where() -> None:
    """The loop: doubt layer and the first suggestion after a short run on the sample, then a
    correction painted over the grown labels."""
    import napari
    from qtpy.QtCore import QEventLoop

    from napari_seisgrow.engine import GrowConfig

    viewer, widget, truth = _sample_with_scribbles(1)
    truth.visible = False
    widget.settings.set_config(GrowConfig(epochs=4))
    widget.reviewing.doubt_box.setChecked(True)
    widget.run.start_training()
    loop = QEventLoop()
    widget.model.worker.finished.connect(loop.quit)
    loop.exec()
    app = napari.qt.get_qapp()
    app.processEvents()
    suggestion = widget.review.next_suggestion()
    viewer.reset_view()
    widget.review.go_to(suggestion)
    app.processEvents()
    viewer.screenshot(str(OUT / "suggestion.png"), canvas_only=False)
    widget.reviewing.doubt_box.setChecked(False)
    layer = widget.review.start_correcting()
    i, (t0, t1), (s0, s1) = suggestion.inline, suggestion.traces, suggestion.samples
    region = truth.data[i, t0:t1, s0:s1]
    layer.data[i, t0:t1, s0:s1] = region  # the interpreter paints the right classes over the box
    layer.refresh()
    layer.events.paint(value=[])
    app.processEvents()
    viewer.screenshot(str(OUT / "corrections.png"), canvas_only=False)
    viewer.close()


if __name__ == "__main__":
    import sys

    if "--only" in sys.argv and sys.argv[-1] == "strat":
        strat()
    elif "--only" in sys.argv and sys.argv[-1] == "where":
        where()
    else:
        main()
        strat()
        where()
