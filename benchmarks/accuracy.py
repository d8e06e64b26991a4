"""Accuracy of napari-seisgrow against baselines on labelled synthetic volumes.

    python benchmarks/accuracy.py                       # the docs/benchmarks.md table
    python benchmarks/accuracy.py --gen-seeds 0 --methods default nearest --epochs 4   # quick look

Prints one markdown row per (volume, seed protocol, method) and, last, one JSON line with all
figures. Unassigned voxels count as wrong in every score.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import nearest_seed, random_forest

from napari_seisgrow.engine import GrowConfig, Session, profile
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.metrics import segmentation_scores
from napari_seisgrow.synthetic import make_synthetic, seed_inlines, seed_scribbles

METHODS = ("default", "research", "supervised", "supervised-grown", "random-forest", "nearest-seed")


OVERRIDES: dict = {}  # --set KEY=VALUE, applied to every network method


def method_config(name: str, epochs: int | None) -> GrowConfig:
    return _method_config(name, epochs).with_overrides(**OVERRIDES)


def _method_config(name: str, epochs: int | None) -> GrowConfig:
    if name == "default":
        cfg = profile("default")
        return cfg.with_overrides(epochs=epochs) if epochs else cfg
    if name in ("supervised", "supervised-grown"):
        return profile("supervised").with_overrides(epochs=epochs or GrowConfig().epochs)
    if name == "research":
        # The research code's choices with its stage schedule scaled to the same epoch budget
        # (its own 50 warm-up epochs would never reach the later stages here).
        n = epochs or GrowConfig().epochs
        return profile("research").with_overrides(epochs=n, warmup_epochs=n // 2, cps_epochs=n // 4)
    raise ValueError(name)


def run_method(name: str, synth, seeds: np.ndarray, epochs: int | None) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    if name == "nearest-seed":
        pred = nearest_seed(seeds)
    elif name == "random-forest":
        x, _ = normalise(synth.volume.data)
        pred = random_forest(x, seeds)
    else:
        session = Session(synth.volume, seeds, method_config(name, epochs))
        for _ in session.run():
            pass
        # supervised: the networks' argmax, no growth; supervised-grown: the same networks'
        # labels grown from the seeds with the default thresholds (no CPS, no label updates)
        pred = session.winner if name == "supervised" else session.grown
    return pred, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[64, 96, 160])
    ap.add_argument("--gen-seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--protocols", nargs="+", default=["inlines", "scribbles"], choices=["inlines", "scribbles"])
    ap.add_argument("--methods", nargs="+", default=[m for m in METHODS if m != "supervised-grown"], choices=METHODS)
    ap.add_argument("--epochs", type=int, default=None, help="epochs for the network methods (default: config)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a config field of the network methods (JSON value), e.g. grow_radius=1")  # fmt: skip
    args = ap.parse_args()
    for item in args.set:
        key, _, value = item.partition("=")
        OVERRIDES[key] = json.loads(value)

    rows = []
    print("| volume | seeds | method | mIoU | pixel acc. | coverage | per-class IoU | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for g in args.gen_seeds:
        synth = make_synthetic(tuple(args.shape), seed=g)
        for proto in args.protocols:
            if proto == "inlines":
                seeds = seed_inlines(synth.truth, 2)
            else:
                seeds = seed_scribbles(synth.truth, n_inlines=3, fraction=0.002, seed=g)
            seeded = float((seeds > 0).mean())
            for m in args.methods:
                pred, secs = run_method(m, synth, seeds, args.epochs)
                s = segmentation_scores(pred, synth.truth)
                row = {
                    "volume": f"synthetic seed {g}",
                    "shape": args.shape,
                    "protocol": proto,
                    "seeded_fraction": seeded,
                    "method": m,
                    "seconds": round(secs, 1),
                    **s,
                }
                rows.append(row)
                ious = " ".join(f"{v:.2f}" for v in s["iou"].values())
                print(
                    f"| seed {g} | {proto} ({seeded:.2%}) | {m} | {s['miou']:.3f} | {s['pixel_accuracy']:.3f} "
                    f"| {s['coverage']:.2f} | {ious} | {secs:.0f} |",
                    flush=True,
                )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
