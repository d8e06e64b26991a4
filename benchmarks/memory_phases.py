"""Where an in-memory run's memory peaks, phase by phase.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/memory_phases.py --shape 160 240 320   # about 1 min

One last epoch (the default settings with no warm-up or CPS epochs: training, the whole-volume
pass, growth, completion and the layering) on the synthetic survey case of ``survey.py`` (made
once and cached as .npy). Private memory (RssAnon) is sampled every 3 ms from a thread; the
in-memory backend's and session's phases are timed by wrapping their methods, so the peak of each
phase can be read apart. Figures are bytes per voxel above the process's level before the run,
so 4 is the size of the float32 volume. The labels' MD5 shows whether a change kept them.

A measurement, not a test: the wrapping only records when each phase begins and ends.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from survey import _status as status  # noqa: E402
from survey import make_case  # noqa: E402

import napari_seisgrow.engine.backend_memory as backend  # noqa: E402
import napari_seisgrow.engine.session as session_module  # noqa: E402
from napari_seisgrow import load_volume  # noqa: E402
from napari_seisgrow.engine import GrowConfig, Session  # noqa: E402

PHASES = [
    (backend.InMemory, "set_training_labels", "training labels"),
    (backend.InMemory, "growable_confidence", "growth's confidence"),
    (backend.InMemory, "grow", "growth"),
    (backend.InMemory, "complete", "completion and layering"),
    (backend.InMemory, "figures", "figures"),
    (session_module, "coordinate_for", "the coordinate"),
    (session_module.Trainer, "__init__", "networks and sampler"),
    (backend, "fill_along_layers", "the fill along the layers"),  # the completion's steps, as the backend calls them
    (backend, "agreeing_regions", "the agreeing regions"),
    (backend, "as_layers", "the layering"),
    (backend, "grow_numpy", "growth's own call"),
]


def private_bytes() -> int:
    return status("RssAnon:")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[160, 240, 320], help="inlines, crosslines, samples")
    ap.add_argument("--cache", type=Path, default=ROOT / "out" / "survey-cache")
    args = ap.parse_args()
    shape = tuple(args.shape)
    volume_path, seeds_path, _ = make_case(args.cache, shape, 1)

    events: list[tuple[float, str]] = []
    for owner, name, label in PHASES:
        original = getattr(owner, name)

        def timed(*a, _f=original, _label=label, **k):
            events.append((time.perf_counter(), f"> {_label}"))
            try:
                return _f(*a, **k)
            finally:
                events.append((time.perf_counter(), f"< {_label}"))

        setattr(owner, name, functools.wraps(original)(timed))

    x = load_volume(volume_path).data
    seeds = np.asarray(np.load(seeds_path))
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            samples.append((time.perf_counter(), private_bytes()))
            time.sleep(0.003)

    base, start = private_bytes(), time.perf_counter()
    threading.Thread(target=watch, daemon=True).start()
    events.append((time.perf_counter(), "> session built"))
    session = Session(x, seeds, GrowConfig(epochs=1, warmup_epochs=0, cps_epochs=0))
    events.append((time.perf_counter(), "> the epoch"))
    for _ in session.run():
        pass
    events.append((time.perf_counter(), "end"))
    done.set()
    time.sleep(0.01)

    voxels = float(np.prod(shape))
    print(f"{shape[0]} x {shape[1]} x {shape[2]} ({voxels / 1e6:.1f} M voxels); bytes per voxel above the start")
    print("| from (s) | what begins | peak until the next event |")
    print("|---|---|---|")
    times = [t for t, _ in events]
    for (t0, what), t1 in zip(events[:-1], times[1:], strict=True):
        inside = [b for t, b in samples if t0 <= t < t1]
        if inside:
            print(f"| {t0 - start:.1f} | {what} | {(max(inside) - base) / voxels:.1f} |")
    peak = max(b for _, b in samples) - base
    labels = hashlib.md5(np.ascontiguousarray(session.grown).tobytes()).hexdigest()[:12]
    print(f"peak {peak / voxels:.1f} bytes per voxel ({peak / 2**30:.2f} GiB); labels MD5 {labels}")


if __name__ == "__main__":
    main()
