"""Issue 21: a facies that recurs down the column is not a unit. Paired: kinds with and without it.

    OMP_NUM_THREADS=1 python benchmarks/recurring_facies.py --families noisy facies strata bodies \
        --cases volume-strokes volume-inlines section --gen-seeds 0 1 2 3 4 --out out/recurring.jsonl

The kinds rule (``engine.units.infer_kinds``) makes a class a body when its strokes alternate with
another class's down the column (``engine.units.alternating``). The kinds act only on the final
labels, so for each case the script first infers the kinds with and without that test from the
strokes and the coordinate alone. Where they are the same, the labels are the same by construction
and the row says so without training. Where they differ, it trains the default once and grows the
final labels both ways from that one training (``Session.regrow``), so the difference is the rule's
alone. ``noisy`` is the held-out family and is reported apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy

from napari_seisgrow.engine import Session, units
from napari_seisgrow.engine.channels import compute_strat
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.metrics import segmentation_scores

WITH = units.alternating
PARTNERS = False  # --partners: also the variant where a class sharing a recurring facies' interval is a body


def never_alternating(spans, margin=units.REPEAT_MARGIN):
    """The rule before: no class is found to recur."""
    return {c: [] for c in spans}


def kinds_both(synth, seeds: np.ndarray) -> tuple[tuple[str, ...], ...]:
    """The kinds without the alternation test, with it, and (``--partners``) with its variant."""
    x, _ = normalise(synth.volume.data)
    tau = compute_strat(x).full()
    out = []
    for rule, partners in ((never_alternating, False), (WITH, False), *(((WITH, True),) if PARTNERS else ())):
        units.alternating, units.RECURRING_PARTNERS = rule, partners
        try:
            out.append(units.infer_kinds(seeds, tau, int(seeds.max()), x != 0).kinds)
        finally:
            units.alternating, units.RECURRING_PARTNERS = WITH, False
    return tuple(out)


def both_labels(synth, seeds: np.ndarray) -> tuple[dict[str, np.ndarray], float]:
    t0 = time.perf_counter()
    session = Session(synth.volume, seeds, accuracy.method_config("default", None))
    for _ in session.run():
        pass
    secs = time.perf_counter() - t0
    labels = {"with": np.asarray(session.grown).copy()}
    units.alternating = never_alternating
    try:
        labels["without"] = np.asarray(session.regrow()).copy()
    finally:
        units.alternating = WITH
    if PARTNERS:
        units.RECURRING_PARTNERS = True
        try:
            labels["with_partners"] = np.asarray(session.regrow()).copy()
        finally:
            units.RECURRING_PARTNERS = False
    return labels, secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", nargs="+", default=["noisy", "facies", "strata", "bodies"])
    ap.add_argument("--cases", nargs="+", default=list(accuracy.CASES), choices=list(accuracy.CASES))
    ap.add_argument("--gen-seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--kinds-only", action="store_true", help="infer the kinds both ways, train nothing")
    ap.add_argument(
        "--partners",
        action="store_true",
        help="also score units.RECURRING_PARTNERS (a class sharing a recurring facies' interval is a body)",
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    global PARTNERS
    PARTNERS = args.partners
    for family in args.families:
        for case in args.cases:
            shape, protocol = accuracy.CASES[case]
            for g in args.gen_seeds:
                synth = accuracy.make(family, shape, g)
                seeds = accuracy.seeds_for(synth, protocol, g)
                kinds = kinds_both(synth, seeds)
                row = {"family": family, "held_out": family in accuracy.HELD_OUT, "case": case, "gen_seed": g}
                for name, k in zip(("kinds_without", "kinds_with", "kinds_with_partners"), kinds, strict=False):
                    row[name] = "".join(x[0] for x in k)
                if len(set(kinds)) > 1 and not args.kinds_only:
                    labels, secs = both_labels(synth, seeds)
                    for variant, pred in labels.items():
                        row[f"miou_{variant}"] = round(segmentation_scores(pred, synth.truth)["miou"], 4)
                    row["seconds"] = round(secs)
                print(json.dumps(row), flush=True)
                if args.out:
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    with args.out.open("a") as f:
                        f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
