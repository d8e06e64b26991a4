"""How long ranking the places to paint next takes, from a prediction already made.

    python benchmarks/suggest.py                     # 200 x 300 x 400, 5 classes, 10 places
    python benchmarks/suggest.py --shape 100 150 200 --repeat 5

The prediction is synthetic but shaped like a real one: smooth confidence with doubtful patches,
layered winners, two networks that differ on a few percent of voxels, strokes on three inlines.
Prints one JSON line: seconds for the doubt map and for the ranking (best of --repeat).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.ndimage import gaussian_filter

from napari_seisgrow.engine.suggest import doubt, rank_places


def fake_prediction(shape, n_classes, seed=0):
    rng = np.random.default_rng(seed)
    conf = gaussian_filter(rng.random(shape, np.float32), 6)
    conf = 0.4 + 0.6 * (conf - conf.min()) / (np.ptp(conf) + 1e-6)
    depth = np.broadcast_to(np.arange(shape[2]) * n_classes // shape[2], shape)
    winner = (1 + depth).astype(np.uint8)
    other = winner.copy()
    flip = rng.random(shape) < 0.03
    other[flip] = 1 + (other[flip] % n_classes)
    seeds = np.zeros(shape, np.uint8)
    for i in (shape[0] // 4, shape[0] // 2, 3 * shape[0] // 4):
        seeds[i, ::7, :] = winner[i, ::7, :]
    return conf.astype(np.float16), winner, other, seeds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[200, 300, 400])
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    shape = tuple(args.shape)
    conf, winner, other, seeds = fake_prediction(shape, args.classes)
    t_doubt, t_rank = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        d = doubt(conf, args.classes, winner != other)
        t1 = time.perf_counter()
        places = rank_places(d, seeds, winner, other=other, n=args.n)
        t2 = time.perf_counter()
        t_doubt.append(t1 - t0)
        t_rank.append(t2 - t1)
    print(json.dumps({"shape": list(shape), "classes": args.classes, "places": len(places),
                      "doubt_s": round(min(t_doubt), 3), "rank_s": round(min(t_rank), 3),
                      "total_s": round(min(a + b for a, b in zip(t_doubt, t_rank, strict=True)), 3)}))  # fmt: skip


if __name__ == "__main__":
    main()
