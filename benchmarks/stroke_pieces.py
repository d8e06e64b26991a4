"""Memory and time of finding a class's connected strokes: scipy's labelling over the class's
bounding box (as the layering did) against ``engine.strokes.stroke_pieces``.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/stroke_pieces.py            # seconds

A 300 x 400 x 400 label volume (48 M voxels) with fifteen strokes on three inlines far apart, as
an interpreter paints a survey. Python's tracemalloc follows numpy's allocations, so the peak is
what each way allocates beside the volume.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
from scipy import ndimage

from napari_seisgrow.engine.strokes import stroke_pieces


def labelled_box(seeds: np.ndarray, c: int) -> int:
    box = ndimage.find_objects((seeds == c).astype(np.int8))[0]
    mine = seeds[box] == c
    return int(ndimage.label(mine, np.ones((3, 3, 3), bool))[1])


def main() -> None:
    shape = (300, 400, 400)
    seeds = np.zeros(shape, np.uint8)
    for i in (20, 150, 280):
        for k in range(5):
            seeds[i, 50 + 60 * k : 90 + 60 * k, 100 + 40 * k : 103 + 40 * k] = 1
    for name, find in (("scipy over the box", lambda: labelled_box(seeds, 1)),
                       ("stroke_pieces", lambda: len(stroke_pieces(seeds, 1)))):  # fmt: skip
        tracemalloc.start()
        t0 = time.perf_counter()
        n = find()
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        per_voxel = peak / seeds.size
        print(f"{name}: {n} strokes, peak {peak / 2**20:.0f} MiB ({per_voxel:.2f} bytes per voxel), {seconds:.2f} s")


if __name__ == "__main__":
    main()
