"""Issue 22, behaviour 3: the learning rate of a run continued with new strokes.

    OMP_NUM_THREADS=2 python benchmarks/continue_lr.py --families facies strata noisy --gen-seeds 3 \
        --out out/continue_lr.jsonl

Each case trains the default on one stroke draw, adds a second draw of strokes (as an interpreter
adds strokes where the labels are wrong) and continues for ``--more`` epochs from the same
checkpoint in each of these ways:

- ``stretched``: the first cosine cycle stretched over all the epochs (the behaviour before: the
  rate jumped from 5 % of the peak back up to about half of it);
- ``continue_lr=X``: a cycle of its own over the added epochs, from X times the peak down to 5 %.

The score is the final labels' mIoU against the truth (unlabelled voxels count wrong); ``noisy``
is the held-out family.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy

from napari_seisgrow.engine import Session
from napari_seisgrow.metrics import segmentation_scores


def variants(values: list[float]) -> list[tuple[str, float | None]]:
    return [("stretched", None), *((f"continue_lr={v:g}", v) for v in values)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", nargs="+", default=["facies", "strata", "noisy"])
    ap.add_argument("--case", default="section", choices=list(accuracy.CASES))
    ap.add_argument("--gen-seeds", type=int, nargs="+", default=[3])
    ap.add_argument("--epochs", type=int, default=None, help="epochs of the first run (default: config)")
    ap.add_argument("--more", type=int, default=8, help="epochs added by the continuation")
    ap.add_argument("--values", type=float, nargs="+", default=[1.0, 0.3, 0.05])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    shape, protocol = accuracy.CASES[args.case]
    for family in args.families:
        for g in args.gen_seeds:
            synth = accuracy.make(family, shape, g)
            first = accuracy.seeds_for(synth, protocol, g)
            second = accuracy.seeds_for(synth, protocol, g + 100)
            more = np.where(first > 0, first, second).astype(np.uint8)
            t0 = time.perf_counter()
            session = Session(synth.volume, first, accuracy.method_config("default", args.epochs))
            for _ in session.run():
                pass
            before = segmentation_scores(np.asarray(session.grown), synth.truth)["miou"]
            with tempfile.TemporaryDirectory() as tmp:
                session.save_checkpoint(Path(tmp) / "ckpt")
                row = {"family": family, "held_out": family in accuracy.HELD_OUT, "case": args.case, "gen_seed": g,
                       "epochs": session.epoch, "more": args.more, "miou_before": round(before, 4)}  # fmt: skip
                for name, value in variants(args.values):
                    run = Session.resume(Path(tmp) / "ckpt", synth.volume, first)
                    if value is not None:
                        run.config = run.config.with_overrides(continue_lr=value)
                    run.continue_with(more, args.more)
                    if value is None:
                        run.lr_cycle = 0  # the cycle before: stretched over every epoch
                    for _ in run.run():
                        pass
                    row[name] = round(segmentation_scores(np.asarray(run.grown), synth.truth)["miou"], 4)
            row["seconds"] = round(time.perf_counter() - t0)
            accuracy.emit(row, args.out)


if __name__ == "__main__":
    main()
