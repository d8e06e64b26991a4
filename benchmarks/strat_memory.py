"""Peak memory and time of the stratigraphic coordinate's solve, the part of a run that used to
decide whether it fits a laptop (issue 23, item 2).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/strat_memory.py --shape 96 192 320
    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/strat_memory.py --shape 48 96 320

A synthetic volume of the facies generator (seed 0), normalised as a run does, then
``compute_strat`` and the full-resolution coordinate, as a session asks for it. Peak resident
memory is sampled every 5 ms above its level before the solve, in GiB and bytes per voxel of the
volume; the coordinate's MD5 shows that a change left the answer as it was. One JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time

import numpy as np

from napari_seisgrow.engine.channels import compute_strat
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.synthetic import make_synthetic


def resident() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[96, 192, 320])
    args = ap.parse_args()
    x, _ = normalise(make_synthetic(tuple(args.shape), seed=0).volume.data, 99.5)
    peak, stop = [0], threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], resident())
            time.sleep(0.005)

    base = resident()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    tau = compute_strat(x).full()
    seconds = time.perf_counter() - t0
    stop.set()
    watcher.join()
    above = max(0, peak[0] - base)
    print(json.dumps({"shape": args.shape, "seconds": round(seconds, 1), "peak_gib": round(above / 2**30, 2),
                      "bytes_per_voxel": round(above / x.size), "tau_md5": hashlib.md5(
                          np.ascontiguousarray(tau).tobytes()).hexdigest()[:12]}))  # fmt: skip


if __name__ == "__main__":
    main()
