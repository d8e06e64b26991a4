"""Where a training run holds the GIL long enough to stall a viewer, without a viewer.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/gil_holds.py --shape 200 300 400 --epochs 2 --steps 4
    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/gil_holds.py --shape 200 300 400 --epochs 2 --steps 4 --warm

A ``Session`` trains in a thread, as the dock's worker does, while the main thread sleeps 1 ms at
a time and records every wake-up later than ``--gap-ms``: the time the GUI thread would have
waited for the GIL. A profile hook in the training thread times its calls of builtin C functions
and names one that lies across a wait; numpy's ufuncs and numba's dispatchers are not builtins
and go unnamed, and imports or numba loading a compiled function show as a wait with no call
named. The hook slows the worker's Python, so the figures are this script's, not a real run's.
``--warm`` loads the completion's compiled fill first, as the dock does when it opens
(``engine.nearest.warm_up``). The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[64, 96, 160])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--steps", type=int, default=None, help="steps per epoch (default: the config's)")
    ap.add_argument("--warm", action="store_true", help="load the compiled fill before the run")
    ap.add_argument("--gap-ms", type=float, default=25.0, help="report main-thread waits longer than this")
    args = ap.parse_args()

    from napari_seisgrow.engine import GrowConfig
    from napari_seisgrow.engine.factory import open_session
    from napari_seisgrow.engine.nearest import warm_up
    from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

    synth = make_synthetic(tuple(args.shape), seed=0)
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    over = {"epochs": args.epochs} | ({"steps_per_epoch": args.steps} if args.steps else {})
    config = GrowConfig(**over)
    warm_s = None
    if args.warm:
        t = time.perf_counter()
        warm_up()
        warm_s = time.perf_counter() - t

    long_calls: list[tuple[float, float, str]] = []  # (start s, ms, where)
    started: dict[int, float] = {}
    t0 = time.perf_counter()

    def profile(frame, event, arg) -> None:
        if event == "c_call":
            started[id(arg)] = time.perf_counter()
        elif event in ("c_return", "c_exception"):
            begin = started.pop(id(arg), None)
            if begin is not None and (ms := (time.perf_counter() - begin) * 1e3) > args.gap_ms:
                name = getattr(arg, "__qualname__", getattr(arg, "__name__", str(arg)))
                where = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_code.co_name} -> {name}"
                long_calls.append((begin - t0, ms, where))

    done = threading.Event()
    failed: list[BaseException] = []

    def train() -> None:
        sys.setprofile(profile)
        try:
            for _ in open_session(synth.volume, seeds, config).run():
                pass
        except BaseException as exc:  # reported by the main thread
            failed.append(exc)
        finally:
            sys.setprofile(None)
            done.set()

    worker = threading.Thread(target=train)
    worker.start()
    gaps: list[tuple[float, float]] = []  # (end s, ms)
    last = time.perf_counter()
    while not done.is_set():
        time.sleep(0.001)
        now = time.perf_counter()
        if (ms := (now - last) * 1e3) > args.gap_ms + 1.0:
            gaps.append((now - t0, ms))
        last = now
    worker.join()
    if failed:
        raise failed[0]
    seconds = time.perf_counter() - t0
    for end, ms in gaps:
        start = end - ms / 1e3
        across = [c for c in long_calls if c[0] < end and c[0] + c[1] / 1e3 > start]
        named = "; ".join(f"{w} ({d:.0f} ms from {s:.2f} s)" for s, d, w in across) or "no builtin call named"
        print(f"{end:8.2f} s  main thread waited {ms:6.1f} ms  {named}")
    result = {
        "shape": args.shape,
        "epochs": args.epochs,
        "warm": args.warm,
        "warm_up_s": None if warm_s is None else round(warm_s, 2),
        "seconds": round(seconds, 1),
        "gaps_over_ms": args.gap_ms,
        "gaps": len(gaps),
        "max_gap_ms": round(max((ms for _, ms in gaps), default=0.0), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
