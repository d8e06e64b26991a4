"""Peak memory of the growth's, the completion's and the layering's whole-volume steps, one at a time.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/layering_memory.py --shape 160 240 320   # about 15 s

Each step runs on the same made-up volume (a coordinate with lateral bumps, a sine of it for the
amplitude, five units painted on three inlines, half the voxels labelled at random, a random
confidence), and
``tracemalloc`` (which numpy reports its arrays to) gives its peak above what was allocated before
it, in bytes per voxel, and what it leaves allocated. Unlike the whole run's private memory
(``memory_phases.py``) this does not depend on how the C heap reuses what earlier phases freed.
The MD5 of each result shows whether a change kept it.
"""

from __future__ import annotations

import argparse
import hashlib
import time
import tracemalloc

import numpy as np

from napari_seisgrow.engine import units
from napari_seisgrow.engine.layers import agreeing_regions, fill_along_layers, growable_confidence


def made_up(shape: tuple[int, int, int]) -> dict[str, np.ndarray]:
    ni, nx, nt = shape
    rng = np.random.default_rng(0)
    z = np.arange(nt, dtype=np.float32)
    bump = (10 * np.sin(np.arange(ni)[:, None] / 30) + 8 * np.cos(np.arange(nx)[None, :] / 40)).astype(np.float32)
    tau = z[None, None, :] + bump[..., None] * (z / nt)[None, None, :]
    x = np.sin(tau / 3.0).astype(np.float32) + 0.2 * rng.standard_normal(shape).astype(np.float32)
    seeds = np.zeros(shape, np.uint8)
    for c, depth in enumerate(range(nt // 10, nt - nt // 20, nt // 6)[:5], start=1):
        for i in (ni // 8, ni // 2, ni - ni // 8):
            seeds[i, nx // 5 : nx // 2, depth : depth + 3] = c
    labels = np.where(rng.random(shape) < 0.5, 0, rng.integers(1, 6, shape)).astype(np.uint8)
    agree = rng.random(shape) < 0.7
    confidence = rng.random(shape, np.float32).astype(np.float16)
    return {"tau": tau, "x": x, "seeds": seeds, "labels": labels, "agree": agree, "live": np.ones(shape, bool),
            "confidence": confidence}  # fmt: skip


def measure(name: str, step, voxels: float) -> None:
    tracemalloc.start()
    tracemalloc.reset_peak()
    t = time.perf_counter()
    out = step()
    seconds = time.perf_counter() - t
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    parts = out if isinstance(out, tuple) else (out,)
    digest = hashlib.md5()
    for p in parts:
        digest.update(np.ascontiguousarray(p).tobytes() if isinstance(p, np.ndarray) else repr(p).encode())
    print(f"| {name} | {peak / voxels:.1f} | {current / voxels:.1f} | {seconds:.1f} | {digest.hexdigest()[:12]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[160, 240, 320], help="inlines, crosslines, samples")
    args = ap.parse_args()
    shape = tuple(args.shape)
    v = made_up(shape)
    voxels = float(np.prod(shape))
    tau, x, seeds, live = v["tau"], v["x"], v["seeds"], v["live"]
    unit_classes = [1, 2, 3, 4, 5]
    print(f"{shape[0]} x {shape[1]} x {shape[2]}: bytes per voxel")
    print("| step | peak | left allocated | seconds | MD5 |")
    print("|---|---|---|---|---|")
    winner = np.where(v["labels"] == 0, 1, v["labels"]).astype(np.uint8)
    measure("growth's confidence (envelope)",
            lambda: growable_confidence(v["confidence"], winner, live, tau, seeds, 5, 10.0), voxels)  # fmt: skip
    measure("flattened profile", lambda: units.flattened_profile(x, tau, live), voxels)
    measure("layered labels", lambda: units.layered_labels(tau, x, seeds, unit_classes, live), voxels)
    measure("as_layers", lambda: units.as_layers(v["labels"], tau, x, seeds, 5, live, v["labels"]).labels, voxels)
    measure("unit doubt", lambda: units.unit_doubt(tau, x, seeds, unit_classes, live), voxels)
    measure("fill along the layers", lambda: fill_along_layers(v["labels"], tau, 10.0), voxels)
    measure("agreeing regions", lambda: agreeing_regions(v["labels"] == 0, v["agree"], 0.5), voxels)


if __name__ == "__main__":
    main()
