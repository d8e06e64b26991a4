"""One region-growing update against two scipy.ndimage references, side by side.

    .venv/bin/python benchmarks/growth.py                      # 128^3 and 256^3, 6 classes
    .venv/bin/python benchmarks/growth.py --sizes 128 --skip-dilation

Inputs are made to look like a mid-training prediction: the winner is the synthetic generator's
truth with a sixth class split off and 5 % of voxels flipped at random, the confidence is
smoothed noise in 0.3..1, and the seeds are scribbles on three inlines. All methods get the same
thresholds (0.6) and the default radius (2); the references:

- iterative dilation: each class dilated (scipy.ndimage.binary_dilation, box of radius 2) into
  its unclaimed candidates, all classes in lockstep, until nothing changes (the method run plainly);
- connected components: scipy.ndimage.label of each class's candidates (26-connected), keeping
  the components that hold a seed of that class (no reach limit, radius 1 only).

Prints seconds and voxels/s per method and size; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy import ndimage


def make_inputs(n: int, n_classes: int = 6, seed: int = 0):
    from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

    synth = make_synthetic((n, n, n), seed=seed)
    truth = synth.truth.copy()
    rng = np.random.default_rng(seed)
    if n_classes > int(truth.max()):  # split the deepest class in two along time
        deep = truth == truth.max()
        truth[deep & (np.arange(n)[None, None, :] > n * 3 // 4)] = n_classes
    winner = truth.copy()
    flip = rng.random(winner.shape) < 0.05
    winner[flip] = rng.integers(1, n_classes + 1, int(flip.sum()))
    conf = ndimage.uniform_filter(rng.random(winner.shape, dtype=np.float32), 5)
    conf = (0.3 + 0.7 * (conf - conf.min()) / (conf.max() - conf.min())).astype(np.float16)
    seeds = seed_scribbles(truth, n_inlines=3, seed=seed)
    return seeds, winner.astype(np.uint8), conf


def ours(seeds, winner, conf, thr, radius):
    from napari_seisgrow.engine.grow import grow_numpy

    return grow_numpy(seeds, winner, conf, [thr], radius=radius)


def scipy_dilation(seeds, winner, conf, thr, radius):
    n_classes = int(winner.max())
    cand = [(winner == c) & (conf >= thr) for c in range(1, n_classes + 1)]
    labels = seeds.copy()
    box = np.ones((2 * radius + 1,) * 3, bool)
    while True:
        free = labels == 0
        claims = np.zeros(labels.shape, np.uint8)
        claimed_by = np.zeros(labels.shape, np.uint8)
        for c in range(1, n_classes + 1):
            hit = ndimage.binary_dilation(labels == c, box) & cand[c - 1] & free
            claims += hit
            claimed_by[hit] = c
        if not claims.any():
            return labels
        won = claims == 1
        labels[won] = claimed_by[won]
        labels[claims > 1] = 255


def scipy_components(seeds, winner, conf, thr, radius):
    out = seeds.copy()
    for c in range(1, int(winner.max()) + 1):
        mask = ((winner == c) & (conf >= thr)) | (seeds == c)
        lab, _ = ndimage.label(mask, np.ones((3, 3, 3), bool))
        keep = np.unique(lab[seeds == c])
        keep = keep[keep > 0]
        out[np.isin(lab, keep) & (out == 0)] = c
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    ap.add_argument("--classes", type=int, default=6)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--radius", type=int, default=2)
    ap.add_argument("--skip-dilation", action="store_true", help="skip the slow iterative-dilation reference")
    args = ap.parse_args()
    import torch

    methods = {"napari-seisgrow": ours, "scipy iterative dilation": scipy_dilation,
               "scipy connected components": scipy_components}  # fmt: skip
    results: dict = {"threads": torch.get_num_threads(), "sizes": {}}
    for n in args.sizes:
        seeds, winner, conf = make_inputs(n, args.classes)
        row = {}
        out_ref = None
        for name, fn in methods.items():
            if name == "scipy iterative dilation" and args.skip_dilation:
                continue
            runs = []
            for _ in range(1 if name.startswith("scipy iterative") else 3):
                t = time.perf_counter()
                out = fn(seeds, winner, conf, args.threshold, args.radius)
                runs.append(time.perf_counter() - t)
            sec = min(runs)
            if name == "napari-seisgrow":
                out_ref = out
            agree = None if out_ref is None else float((out == out_ref).mean())
            row[name] = {"seconds": round(sec, 3), "voxels_per_s": round(n**3 / sec), "agreement": agree}
            print(f"{n}^3 {name:<28} {sec:8.3f} s  {n**3 / sec / 1e6:8.1f} M voxels/s  "
                  f"labelled {(out > 0).mean():.3f}  same as ours {agree:.4f}", flush=True)  # fmt: skip
        results["sizes"][str(n)] = row
    print(json.dumps(results))


if __name__ == "__main__":
    main()
