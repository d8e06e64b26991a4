"""Seconds until the default method's labels beat the random forest's, against the forest's own.

    .venv/bin/python benchmarks/time_to_quality.py                  # scribbles, sample volume seed 0
    .venv/bin/python benchmarks/time_to_quality.py --protocol inlines --gen-seed 1

Trains the random-forest baseline (timed, features included), then the default method, scoring
after every epoch the labels a user sees (the grown layer, unassigned voxels counted as wrong)
and, for reference, the networks' argmax. Epoch times exclude the scoring. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import random_forest

from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.metrics import segmentation_scores
from napari_seisgrow.synthetic import make_synthetic, seed_inlines, seed_scribbles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[64, 96, 160])
    ap.add_argument("--gen-seed", type=int, default=0)
    ap.add_argument("--protocol", choices=["inlines", "scribbles"], default="scribbles")
    args = ap.parse_args()
    synth = make_synthetic(tuple(args.shape), seed=args.gen_seed)
    if args.protocol == "inlines":
        seeds = seed_inlines(synth.truth, 2)
    else:
        seeds = seed_scribbles(synth.truth, n_inlines=3, fraction=0.002, seed=args.gen_seed)

    t = time.perf_counter()
    x, _ = normalise(synth.volume.data)
    rf = random_forest(x, seeds)
    rf_seconds = time.perf_counter() - t
    rf_miou = segmentation_scores(rf, synth.truth)["miou"]
    print(f"random forest: mIoU {rf_miou:.3f} in {rf_seconds:.1f} s", flush=True)

    session = Session(synth.volume, seeds, GrowConfig())
    elapsed, passed = 0.0, None
    curve = []
    start = time.perf_counter()
    for r in session.run():
        elapsed = time.perf_counter() - start
        grown = segmentation_scores(r.grown, synth.truth)["miou"]
        argmax = segmentation_scores(session.winner, synth.truth)["miou"]
        curve.append({"epoch": r.epoch + 1, "seconds": round(elapsed, 1), "grown_miou": round(grown, 4),
                      "argmax_miou": round(argmax, 4)})  # fmt: skip
        print(f"epoch {r.epoch + 1:>2} [{r.stage}] {elapsed:6.1f} s  grown mIoU {grown:.3f}  argmax {argmax:.3f}",
              flush=True)  # fmt: skip
        if passed is None and grown > rf_miou:
            passed = (r.epoch + 1, elapsed)
        start = time.perf_counter() - elapsed  # the scoring above is not the method's time
    result = {
        "shape": args.shape, "protocol": args.protocol, "gen_seed": args.gen_seed,
        "random_forest": {"miou": round(rf_miou, 4), "seconds": round(rf_seconds, 1)},
        "default_passes_forest": None if passed is None else {"epoch": passed[0], "seconds": round(passed[1], 1)},
        "default_final": curve[-1], "curve": curve,
    }  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
