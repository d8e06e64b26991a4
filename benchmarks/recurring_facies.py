"""Issue 21: a facies that recurs down the column is not a unit. Paired: kinds with and without it.

    OMP_NUM_THREADS=2 python benchmarks/recurring_facies.py --partners --families noisy facies \
        --cases volume-strokes section --gen-seeds 0 1 2 3 4 --out out/recurring.jsonl

The kinds rule (``engine.units.infer_kinds``) makes a class a body when its strokes alternate with
another class's down the column (``engine.units.alternating``), and (``units.RECURRING_PARTNERS``,
the default) a class whose strokes share the interval of such a recurring facies too. The kinds act
only on the final labels, so for each case the script first infers the kinds of each variant
(``VARIANTS``: without the alternation test, with it alone, with it and its partners; the last only
with ``--partners``) from the strokes and the coordinate alone. Where they are all the same, the
labels are the same by construction and the row says so without training. Where they differ, it
trains the default once and grows the final labels with each variant from that one training
(``Session.regrow``), so each difference is the rule's alone. ``noisy`` is the held-out family and
is reported apart.
"""

from __future__ import annotations

import argparse
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
DEFAULT_PARTNERS = units.RECURRING_PARTNERS
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
            units.alternating, units.RECURRING_PARTNERS = WITH, DEFAULT_PARTNERS
    return tuple(out)


VARIANTS = {  # name: (the alternation test, classes sharing a recurring facies' interval are bodies too)
    "without": (False, False),
    "with": (True, False),
    "with_partners": (True, True),
}


def both_labels(synth, seeds: np.ndarray) -> tuple[dict[str, np.ndarray], float]:
    """One training of the default, then its final labels grown again with each variant of the
    kinds rule (kinds act on the final labels only, so this is the variant's whole effect)."""
    t0 = time.perf_counter()
    session = Session(synth.volume, seeds, accuracy.method_config("default", None))
    for _ in session.run():
        pass
    secs = time.perf_counter() - t0
    labels = {}
    for name, (alternation, partners) in VARIANTS.items():
        if name == "with_partners" and not PARTNERS:
            continue
        units.alternating = WITH if alternation else never_alternating
        units.RECURRING_PARTNERS = partners
        session.backend.kinds_kept.clear()  # each variant infers afresh, not as the run's labels had it
        session.backend.levels_kept.clear()
        session.backend.levels_pinned.clear()
        try:
            labels[name] = np.asarray(session.regrow()).copy()
        finally:
            units.alternating, units.RECURRING_PARTNERS = WITH, DEFAULT_PARTNERS
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
    for family, case, g, synth, seeds in accuracy.each_case(args.families, args.cases, args.gen_seeds):
        kinds = kinds_both(synth, seeds)
        row = {"family": family, "held_out": family in accuracy.HELD_OUT, "case": case, "gen_seed": g}
        for name, k in zip(("kinds_without", "kinds_with", "kinds_with_partners"), kinds, strict=False):
            row[name] = "".join(x[0] for x in k)
        if len(set(kinds)) > 1 and not args.kinds_only:
            labels, secs = both_labels(synth, seeds)
            for variant, pred in labels.items():
                row[f"miou_{variant}"] = round(segmentation_scores(pred, synth.truth)["miou"], 4)
            row["seconds"] = round(secs)
        accuracy.emit(row, args.out)


if __name__ == "__main__":
    main()
