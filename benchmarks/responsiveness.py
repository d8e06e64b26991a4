"""How smooth the viewer stays while the widget trains: GUI-thread stalls during real training.

    xvfb-run -a .venv/bin/python benchmarks/responsiveness.py                 # the sample, 3 epochs
    xvfb-run -a .venv/bin/python benchmarks/responsiveness.py --shape 200 300 400 --epochs 2

A 10 ms QTimer runs on the GUI thread; every tick records how late it fired. The widget trains
through its thread worker exactly as a user's click would. The last line is JSON with
max_stall_ms, p99_stall_ms and epochs (stalls after the Train click has returned, to the end of
training, including the first draw of the grown layer), click_ms: how long the click itself
kept the GUI thread, which is mostly napari adding the grown Labels layer, and first_preview_s:
seconds from the click to the first live preview of the displayed inline drawn in the viewer.
Before the click the benchmark waits, as an interpreter painting would, until the widget's
background solve of the stratigraphic coordinate has ended (``painting_s``; ``--no-paint-wait``
presses Train at once and the training waits for the solve instead).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp())
os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp())
os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp())  # autosaves go here, not to the user's folder

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[64, 96, 160])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=None, help="steps per epoch (default: the config's)")
    ap.add_argument("--verbose", action="store_true", help="list every stall over 50 ms with its time")
    ap.add_argument("--no-paint-wait", dest="paint_wait", action="store_false",
                    help="press Train at once instead of after the background solve of the coordinate")  # fmt: skip
    ap.add_argument("--no-autosave", dest="autosave", action="store_false",
                    help="untick Autosave every epoch (to see what the autosave's write costs the viewer)")  # fmt: skip
    args = ap.parse_args()

    import napari
    from qtpy.QtCore import QElapsedTimer, QEventLoop, QTimer

    from napari_seisgrow._napari.layer_kwargs import image_layer_kwargs
    from napari_seisgrow.engine import GrowConfig
    from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

    synth = make_synthetic(tuple(args.shape), seed=0)
    viewer = napari.Viewer(show=True)
    viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    seeds = widget.data.new_seeds_layer()
    seeds.data[...] = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    over = {"epochs": args.epochs}
    if args.steps:
        over["steps_per_epoch"] = args.steps
    widget.settings.set_config(GrowConfig(**over))
    widget.files.autosave_box.setChecked(args.autosave)

    app = napari.qt.get_qapp()
    clock = QElapsedTimer()
    stalls: list[float] = []
    last = [0.0]

    events: list[tuple[float, str]] = []

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        stalls.append(max(0.0, now - last[0] - 10.0))
        if stalls[-1] > 50:
            events.append((round(now), f"stall {stalls[-1]:.0f} ms"))
        last[0] = now

    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(tick)
    for _ in range(20):  # let the window settle before measuring
        app.processEvents()
        time.sleep(0.01)
    # an interpreter paints before pressing Train; meanwhile the widget solves the coordinate
    image = viewer.layers["seismic"]
    t_solve = time.perf_counter()
    while args.paint_wait and widget.layers.strat.known(image) is None and time.perf_counter() - t_solve < 900:
        app.processEvents()
        time.sleep(0.05)
    painted_s = time.perf_counter() - t_solve
    t0 = time.perf_counter()
    widget.run.start_training()
    click_ms = (time.perf_counter() - t0) * 1e3
    clock.start()
    probe.start()
    events.append((0, f"training started; the click took {click_ms:.0f} ms"))
    widget.model.worker.yielded.connect(
        lambda u: events.append((round(clock.nsecsElapsed() / 1e6), f"{type(u).__name__.lower()} shown"))
    )
    loop = QEventLoop()
    widget.model.worker.finished.connect(loop.quit)
    loop.exec()  # the real event loop, as in napari
    seconds = time.perf_counter() - t0
    probe.stop()
    s = np.asarray(stalls[1:])  # the first tick has no previous one
    first = widget.previews.first_preview_at
    result = {
        "shape": args.shape,
        "epochs": widget.model.session.epoch,
        "seconds": round(seconds, 1),
        "ticks": len(s),
        "max_stall_ms": round(float(s.max()), 1),
        "p99_stall_ms": round(float(np.percentile(s, 99)), 1),
        "median_stall_ms": round(float(np.median(s)), 2),
        "painting_s": round(painted_s, 1),  # waited before Train, as painting would (the coordinate's solve)
        "click_ms": round(click_ms),
        # Train click to the first preview of the displayed inline drawn in the grown layer
        "first_preview_s": None if first is None else round(first - t0, 2),
        "previews": widget.previews.previews_shown,
        "device": widget.model.session.device_name,
    }
    viewer.close()
    if args.verbose:
        for t, what in events:
            print(f"{t:>8} ms  {what}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
