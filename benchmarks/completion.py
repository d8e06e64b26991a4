"""Completion rules compared on the same trained networks: what the last step alone changes.

    python benchmarks/completion.py --families strata bodies facies --gen-seeds 0 1 2 --out out/completion.jsonl
    python benchmarks/completion.py --summary out/completion.jsonl

Training is the expensive part of a run and the completion rule does not change it, so each case
trains the default once and then completes the same networks' labels several ways:
``no-cake`` (every open voxel takes the nearest label along the layering; open regions where
the two networks agree keep their argmax), ``cake`` (as before, but open voxels in a stacked
unit's interval take that unit's class, boundaries on the strongest reflector between strokes),
and the structural baseline for reference. The development families and generator seeds 0-2
are the cases the defaults were chosen on; the suite's held-out family stays out by default.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import CASES, make, seeds_for
from baselines import nearest_in_coordinate

from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.metrics import segmentation_scores

RULES = {"no-cake": {"layer_cake": "off"}, "cake": {"layer_cake": "always"}}


def run(args) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.is_file():
        done = {(r["family"], r["case"], r["gen_seed"]) for r in map(json.loads, out.read_text().splitlines())}
    for family in args.families:
        for case in args.cases:
            shape, protocol = CASES[case]
            for g in args.gen_seeds:
                if (family, case, g) in done:
                    continue
                synth = make(family, shape, g)
                seeds = seeds_for(synth, protocol, g)
                t0 = time.perf_counter()
                session = Session(synth.volume, seeds, GrowConfig())
                for _ in session.run():
                    pass
                row = {"family": family, "case": case, "gen_seed": g, "train_s": round(time.perf_counter() - t0, 1)}
                for name, overrides in RULES.items():
                    session.config = session.config.with_overrides(**overrides)
                    row[name] = round(segmentation_scores(session.complete(), synth.truth)["miou"], 4)
                structural = nearest_in_coordinate(session.strat.full(), seeds)
                row["structural"] = round(segmentation_scores(structural, synth.truth)["miou"], 4)
                with out.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)


def summary(path: str) -> None:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    names = [*RULES, "structural"]
    print("| family | case | seeds | " + " | ".join(names) + " | cake - no-cake |")
    print("|---|---|---|" + "---|" * (len(names) + 1))
    for key in dict.fromkeys((r["family"], r["case"]) for r in rows):
        part = [r for r in rows if (r["family"], r["case"]) == key]
        cells = [f"{np.mean([r[n] for r in part]):.3f}" for n in names]
        diffs = ", ".join(f"{r['cake'] - r['no-cake']:+.3f}" for r in part)
        seeds = ", ".join(str(r["gen_seed"]) for r in part)
        print(f"| {key[0]} | {key[1]} | {seeds} | " + " | ".join(cells) + f" | {diffs} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", nargs="+", default=["strata", "bodies", "facies"])
    ap.add_argument("--cases", nargs="+", default=["section"], choices=list(CASES))
    ap.add_argument("--gen-seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default="out/completion.jsonl")
    ap.add_argument("--summary", metavar="JSONL", help="print the table of an earlier run and exit")
    args = ap.parse_args()
    if args.summary:
        summary(args.summary)
    else:
        run(args)


if __name__ == "__main__":
    main()
