"""Issue 21, item 5: does the growth envelope belong in training, or only in the final labels?

    python benchmarks/envelope_in_training.py --families strata bodies noisy facies --cases section \
        --gen-seeds 3 --out out/envelope.jsonl

The default applies ``grow_envelope`` (a class grows only near the stratigraphic interval its
strokes span) to the growth of every epoch, so the labels the networks train on never hold a class
outside its painted interval (a ratchet where a facies recurs in several units). The
``final-only`` variant keeps the envelope for the labels a finished run shows and drops it from the
growth training sees. Same volumes, strokes and seeds for both; one JSON line per run. The variant
is measured here rather than offered as a setting: it is not the default unless it wins.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy

from napari_seisgrow.engine.backend_memory import InMemory
from napari_seisgrow.metrics import segmentation_scores

EVERY_EPOCH = InMemory.growable_confidence


def final_only(self, winner, confidence, config, strat, final):
    """The default's growable confidence, without the envelope except in the final growth."""
    if not final:
        config = config.with_overrides(grow_envelope=0.0)
    return EVERY_EPOCH(self, winner, confidence, config, strat, final)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", nargs="+", default=["strata", "bodies", "noisy", "facies"])
    ap.add_argument("--cases", nargs="+", default=["section"], choices=list(accuracy.CASES))
    ap.add_argument("--gen-seeds", type=int, nargs="+", default=[3])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    for family, case, g, synth, seeds in accuracy.each_case(args.families, args.cases, args.gen_seeds):
        for variant, method in (("every-epoch", EVERY_EPOCH), ("final-only", final_only)):
            InMemory.growable_confidence = method
            try:
                pred, secs, _ = accuracy.run_method("default", synth, seeds, None)
            finally:
                InMemory.growable_confidence = EVERY_EPOCH
            s = segmentation_scores(pred, synth.truth)
            row = {"family": family, "held_out": family in accuracy.HELD_OUT, "case": case, "gen_seed": g,
                   "variant": variant, "miou": round(s["miou"], 4), "seconds": round(secs)}  # fmt: skip
            accuracy.emit(row, args.out)


if __name__ == "__main__":
    main()
