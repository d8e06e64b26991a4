"""Where a boundary between two painted units should go, checked on real F3 sections.

    python benchmarks/f3_boundaries.py            # three sections, five stroke placements each, seconds
    python benchmarks/f3_boundaries.py --train '"grow_envelope": 0.0'   # the method itself, default and a change
    python benchmarks/f3_boundaries.py --train --regrow '"layer_claims": "painted"'  # one training, two last growths

The real F3 sections have no truth, but ``docs/f3_pictures.py`` lists the unit boundaries picked
by eye at prominent reflectors on each section's middle trace. Here strokes along the bedding are
painted in each unit at a quarter and at 70 % of the width, each at a random depth within its
unit (20-80 % of the way down, so "halfway" is not right by construction), and each rule labels
the section from the strokes and the stratigraphic coordinate alone (no networks). Scored on the
11 traces around the middle trace, which no stroke touches: the share of samples in the unit the
picks say. Rules: ``nearest`` (each sample takes the class of the stroke nearest in the coordinate:
the structural baseline), ``halfway`` (units in the order their strokes lie, each boundary halfway
between two units' strokes), ``strongest`` (the same, each boundary on the flattened row of
largest mean absolute amplitude between them). One JSON line per section, then the mean.
"""

from __future__ import annotations

import json
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "docs"))

from baselines import nearest_in_coordinate  # noqa: E402
from f3_pictures import BOUNDARIES, SECTIONS  # noqa: E402

TRIALS = 5


def strokes(tau: np.ndarray, live: np.ndarray, picks: list[int], depth: np.ndarray, length: float = 0.08):
    """Two strokes per unit along iso-lines of ``tau``; ``depth[k, s]`` is how far down unit k stroke s lies."""
    n, nt = tau.shape
    traces = np.flatnonzero(live)
    mid = int(traces[len(traces) // 2])
    cuts = [float(tau[mid, b]) for b in picks]
    tops, bottoms = [float(tau[mid, 2]), *cuts], [*cuts, float(tau[mid, nt - 3])]
    seeds = np.zeros((n, nt), np.uint8)
    half = max(3, int(length * live.sum() / 2))
    for k, (a, b) in enumerate(zip(tops, bottoms, strict=True), start=1):
        for s, where in enumerate((0.25, 0.7)):
            level = a + depth[k - 1, s] * (b - a)
            centre = traces[int(where * (len(traces) - 1))]
            for x in range(max(0, centre - half), min(n, centre + half)):
                if live[x]:
                    t = int(np.argmin(np.abs(tau[x] - level)))
                    seeds[x, max(0, t - 1) : t + 2] = k
    return seeds, mid


def ordered_cuts(seeds: np.ndarray, tau: np.ndarray, amplitude: np.ndarray | None) -> tuple[list[int], np.ndarray]:
    """Classes in the order their strokes lie down the coordinate, and the boundaries between them."""
    classes = sorted(np.unique(seeds[seeds > 0]), key=lambda c: float(np.median(tau[seeds == c])))
    spans = [np.percentile(tau[seeds == c], [5, 95]) for c in classes]
    lo0 = float(np.floor(tau.min()))
    rows = np.round(tau - lo0).astype(np.int64)
    strength = None
    if amplitude is not None:
        count = np.bincount(rows.ravel(), minlength=rows.max() + 1)
        strength = np.bincount(rows.ravel(), weights=np.abs(amplitude).ravel(), minlength=rows.max() + 1)
        strength = strength / np.maximum(count, 1)
    cuts = []
    for (_, above), (below, _) in pairwise(spans):
        top, bottom = int(np.ceil(above - lo0)), int(np.floor(below - lo0))
        if strength is None or bottom <= top:
            cuts.append(0.5 * (above + below))
        else:
            cuts.append(lo0 + top + int(np.argmax(strength[top : bottom + 1])) + 0.5)
    return [int(c) for c in classes], np.asarray(cuts)


def train_rows(args) -> None:
    """The whole method on the same strokes (first placement only): one JSON line per section and setting."""
    from accuracy import regrow_each

    import napari_seisgrow as sg
    from napari_seisgrow.engine import GrowConfig, Session
    from napari_seisgrow.engine.channels import strat_for_volume

    settings = {"default": {}} | {s: json.loads("{" + s + "}") for s in args.train}
    regrow = {s: json.loads("{" + s + "}") for s in args.regrow}
    for name, picks in BOUNDARIES.items():
        volume = sg.load_volume(SECTIONS / f"{name}.sgy")
        data = volume.data
        one_line = data.shape[0] == 1  # an inline file: (1, traces, samples)
        section = data[0] if one_line else data[:, 0]
        live = np.abs(section).max(axis=1) > 0
        grid = strat_for_volume(data)
        tau3 = grid.full()
        tau = tau3[0] if one_line else tau3[:, 0]
        truth = np.searchsorted(np.asarray(picks), np.arange(section.shape[1]), side="right") + 1
        depth = np.random.default_rng(0).uniform(0.2, 0.8, (len(picks) + 1, 2))
        seeds2, mid = strokes(tau, live, picks, depth)
        seeds = seeds2[None] if one_line else seeds2[:, None]
        near = nearest_in_coordinate(tau, seeds2)
        score = float(np.mean([(near[c] == truth).mean() for c in range(mid - 5, mid + 6)]))
        print(json.dumps({"section": name, "setting": "nearest (no networks)", "middle_traces": round(score, 3)}))
        for label, overrides in settings.items():
            session = Session(volume, seeds, GrowConfig().with_overrides(**overrides), strat=grid)
            for _ in session.run():
                pass
            regrown = {label: np.asarray(session.grown)}
            if label == "default":
                regrown |= regrow_each(session, {f"default, regrown with {t}": o for t, o in regrow.items()})
            for what, grown in regrown.items():
                lab = grown[0] if one_line else grown[:, 0]
                score = float(np.mean([(lab[c] == truth).mean() for c in range(mid - 5, mid + 6)]))
                print(json.dumps({"section": name, "setting": what, "middle_traces": round(score, 3)}), flush=True)


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", nargs="*", default=None, metavar='"KEY": VALUE',
                    help='train the method (default, and each setting given, e.g. \'"grow_envelope": 0.0\') '
                         "on the first placement and score its labels the same way (minutes per run)")  # fmt: skip
    ap.add_argument("--regrow", nargs="*", default=[], metavar='"KEY": VALUE',
                    help="with --train: also grow the default's labels again with each setting given, from the "
                         "same training (a clean comparison for last-growth settings)")  # fmt: skip
    args = ap.parse_args()
    if args.train is not None:
        train_rows(args)
        return
    import napari_seisgrow as sg
    from napari_seisgrow.engine.channels import strat_for_volume
    from napari_seisgrow.engine.data import normalise

    totals: dict[str, list[float]] = {"nearest": [], "halfway": [], "strongest": []}
    for name, picks in BOUNDARIES.items():
        data = sg.load_volume(SECTIONS / f"{name}.sgy").data
        section = data[:, 0] if data.shape[0] > 1 else data[0]
        live = np.abs(section).max(axis=1) > 0
        tau3 = strat_for_volume(data).full()
        tau = tau3[:, 0] if data.shape[0] > 1 else tau3[0]
        x, _ = normalise(section)
        truth = np.searchsorted(np.asarray(picks), np.arange(section.shape[1]), side="right") + 1
        scores: dict[str, list[float]] = {k: [] for k in totals}
        for trial in range(TRIALS):
            depth = np.random.default_rng(trial).uniform(0.2, 0.8, (len(picks) + 1, 2))
            seeds, mid = strokes(tau, live, picks, depth)
            labels = {"nearest": nearest_in_coordinate(tau, seeds)}
            for rule, amp in (("halfway", None), ("strongest", x)):
                classes, cuts = ordered_cuts(seeds, tau, amp)
                labels[rule] = np.asarray(classes)[np.searchsorted(cuts, tau)]
            for rule, lab in labels.items():
                scores[rule].append(float(np.mean([(lab[c] == truth).mean() for c in range(mid - 5, mid + 6)])))
        row = {"section": name, **{k: round(float(np.mean(v)), 3) for k, v in scores.items()}}
        print(json.dumps(row), flush=True)
        for k, v in scores.items():
            totals[k] += v
    print(json.dumps({"section": "mean", **{k: round(float(np.mean(v)), 3) for k, v in totals.items()}}))


if __name__ == "__main__":
    main()
