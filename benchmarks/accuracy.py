"""The accuracy suite: the method, its ablations and the baselines on four synthetic families.

    python benchmarks/accuracy.py --out out/accuracy.jsonl            # the whole suite (hours on 2 cores)
    python benchmarks/accuracy.py --families strata --cases section --methods default structural
    python benchmarks/accuracy.py --summary out/accuracy.jsonl        # the docs/benchmarks.md tables
    python benchmarks/accuracy.py --methods default --regrow layer_claims='"nearest"'  # one training, two last growths

Families (``napari_seisgrow.synthetic``): ``facies`` (the sample's generator), ``strata`` (units of
one texture, told apart by position: pinch-outs, an unconformity, a fault), ``bodies`` (channels,
lobes, mounds, mass-transport deposits in layered host rock) and ``noisy`` (facies in repeated
units at signal-to-noise 1.5-3 with amplitude trends). ``noisy`` is held out: no setting was
chosen by looking at it, and the summary reports it apart. The suite's generator seeds (3 and 4)
were not used while the defaults were chosen (those runs used seeds 0-2).

Cases per family: a 3-D volume (64 x 96 x 160) with strokes along the bedding on 3 inlines, the
same volume with 2 fully labelled inlines, and a 2-D section (1 x 400 x 200, like one SEG-Y line)
with strokes along the bedding. Strokes: two per class per section, the rarest class one short
stroke. Every score counts unassigned voxels as wrong.

Methods: ``default``; ablations ``seeds-only`` (the networks trained on the seeds alone, argmax),
``no-cps``, ``no-updates`` (no label-update stage), ``no-structure`` (amplitude alone, no growth
envelope, completion only through agreeing argmax: the method before the stratigraphic
coordinate); baselines
``random-forest`` (ilastik-style filter features), ``nearest-seed``, ``structural`` (each
voxel takes the class of the nearest seed in the stratigraphic coordinate alone) and ``layered``
(every class inferred a unit labelled as ordered layers from the strokes and the coordinate,
``engine/units.py``, no networks: what the default's final labels give unit classes).

Each finished row is appended to ``--out`` as one JSON line at once, so a long run can be
stopped and resumed (``--resume`` skips rows already there).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import nearest_in_coordinate, nearest_seed, random_forest

from napari_seisgrow.engine import GrowConfig, Session, profile
from napari_seisgrow.engine.channels import compute_strat
from napari_seisgrow.engine.config import check_last_growth
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.units import UNIT, infer_kinds, layered_labels
from napari_seisgrow.io.errors import SeisgrowError
from napari_seisgrow.metrics import segmentation_scores
from napari_seisgrow.synthetic.strokes import seed_bedding_strokes, seed_inlines

FAMILIES = ("facies", "strata", "bodies", "noisy")
HELD_OUT = ("noisy",)
CASES = {
    "volume-strokes": ((64, 96, 160), "strokes"),
    "volume-inlines": ((64, 96, 160), "inlines"),
    "section": ((1, 400, 200), "strokes"),
}
NETWORK_METHODS = ("default", "seeds-only", "no-cps", "no-updates", "no-structure")
METHODS = (*NETWORK_METHODS, "random-forest", "nearest-seed", "structural", "layered")
OVERRIDES: dict = {}  # --set KEY=VALUE, applied to every network method
REGROW: dict = {}  # --regrow KEY=VALUE: the default's labels grown again with each, from the same training


def make(family: str, shape: tuple[int, int, int], seed: int):
    if family == "facies":
        from napari_seisgrow.synthetic import make_synthetic

        return make_synthetic(shape, seed)
    module = importlib.import_module(f"napari_seisgrow.synthetic.{family}")
    return getattr(module, f"make_{family}")(shape, seed)


def seeds_for(synth, protocol: str, seed: int) -> np.ndarray:
    if protocol == "inlines":
        return seed_inlines(synth.truth, 2)
    section = synth.truth.shape[0] == 1
    return seed_bedding_strokes(synth.truth, synth.rgt, n_sections=3, length=0.1 if section else 0.3, seed=seed)


def method_config(name: str, epochs: int | None) -> GrowConfig:
    cfg = profile("supervised") if name == "seeds-only" else profile("default")
    if name == "seeds-only":
        cfg = cfg.with_overrides(epochs=GrowConfig().epochs)
    elif name == "no-cps":
        cfg = cfg.with_overrides(cps_weight=0.0)
    elif name == "no-updates":
        cfg = cfg.with_overrides(label_updates=False)  # the label-update stage never starts; the CPS ramp as always
    elif name == "no-structure":
        cfg = cfg.with_overrides(inputs=["amplitude"], completion="connected", grow_envelope=0.0, layer_claims="off")
    if epochs:
        cfg = cfg.with_overrides(epochs=epochs)
    return cfg.with_overrides(**OVERRIDES)


def run_method(name: str, synth, seeds: np.ndarray, epochs: int | None) -> tuple[np.ndarray, float, dict]:
    t0 = time.perf_counter()
    if name == "nearest-seed":
        pred = nearest_seed(seeds)
    elif name == "random-forest":
        x, _ = normalise(synth.volume.data)
        pred = random_forest(x, seeds)
    elif name == "structural":
        x, _ = normalise(synth.volume.data)
        pred = nearest_in_coordinate(compute_strat(x).full(), seeds)
    elif name == "layered":
        x, _ = normalise(synth.volume.data)
        tau = compute_strat(x).full()
        units = infer_kinds(seeds, tau, int(seeds.max()), x != 0).of(UNIT)
        pred = layered_labels(tau, x, seeds, units, x != 0)
    else:
        session = Session(synth.volume, seeds, method_config(name, epochs))
        for _ in session.run():
            pass
        pred = session.winner if name == "seeds-only" else session.grown
        if name == "default" and REGROW:
            secs = time.perf_counter() - t0
            return np.asarray(pred), secs, regrow_each(session, {f"regrown {t}": o for t, o in REGROW.items()})
    return np.asarray(pred), time.perf_counter() - t0, {}


def each_case(families, cases, gen_seeds):
    """(family, case, generator seed, synthetic, strokes) for every combination, in that order."""
    for family in families:
        for case in cases:
            shape, protocol = CASES[case]
            for g in gen_seeds:
                synth = make(family, shape, g)
                yield family, case, g, synth, seeds_for(synth, protocol, g)


def emit(row: dict, out: Path | None) -> None:
    """Print one result as a JSON line and append it to ``out`` (so a long run can be resumed)."""
    print(json.dumps(row), flush=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a") as f:
            f.write(json.dumps(row) + "\n")


def regrow_each(session: Session, settings: dict[str, dict]) -> dict[str, np.ndarray]:
    """The finished session's labels grown again with each setting in turn, each from the session's
    own config (so settings never add up); the session's config is put back afterwards."""
    base = session.config
    out = {}
    for label, overrides in settings.items():
        session.config = base
        out[label] = np.asarray(session.regrow(**overrides))
    session.config = base
    return out


def run(args) -> None:
    done = set()
    out = Path(args.out) if args.out else None
    if out is not None and args.resume and out.is_file():
        for line in out.read_text().splitlines():
            r = json.loads(line)
            done.add((r["family"], r["case"], r["gen_seed"], r["method"]))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
    print("| family | case | volume | method | mIoU | coverage | per-class IoU | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for family in args.families:
        for case in args.cases:
            shape, protocol = CASES[case]
            for g in args.gen_seeds:
                synth = make(family, shape, g)
                seeds = seeds_for(synth, protocol, g)
                for m in args.methods:
                    if (family, case, g, m) in done:
                        continue
                    if case != "volume-strokes" and m in args.strokes_only:
                        continue
                    pred, secs, regrown = run_method(m, synth, seeds, args.epochs)
                    for method, labels in ((m, pred), *regrown.items()):
                        s = segmentation_scores(labels, synth.truth)
                        row = {"family": family, "held_out": family in HELD_OUT, "case": case, "gen_seed": g,
                               "shape": list(shape), "seeded_fraction": float((seeds > 0).mean()), "method": method,
                               "seconds": round(secs, 1), "set": OVERRIDES, **s}  # fmt: skip
                        if method != m:
                            row["regrow"] = REGROW[method.removeprefix("regrown ")]
                        if out is not None:
                            with out.open("a") as f:
                                f.write(json.dumps(row) + "\n")
                        ious = " ".join(f"{v:.2f}" for v in s["iou"].values())
                        print(f"| {family} | {case} | {g} | {method} | {s['miou']:.3f} | {s['coverage']:.2f} | {ious} "
                              f"| {secs:.0f} |", flush=True)  # fmt: skip


def summary(path: str) -> None:
    """Per protocol: mean and worst mIoU per family and method (with the number of volumes where a
    method ran on fewer than the default); the default paired against every other method on the
    volumes both ran; smallest class IoU; seconds. Held-out family apart."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    methods = [*(m for m in METHODS if any(r["method"] == m for r in rows)),
               *dict.fromkeys(r["method"] for r in rows if r["method"] not in METHODS)]  # fmt: skip

    def pick(part, **key):
        return [r for r in part if all(r[k] == v for k, v in key.items())]

    def cell(values: list[float], n: int, bold: bool = False) -> str:
        """Mean (worst); with the number of volumes where a method ran on fewer than the default,
        so that a mean over fewer volumes is never read as comparable."""
        if not values:
            return "-"
        mean = f"**{np.mean(values):.3f}**" if bold else f"{np.mean(values):.3f}"
        fewer = f" [{len(values)} of {n}]" if len(values) != n else ""
        return f"{mean} ({min(values):.3f}){fewer}"

    def paired(part, other):
        """Default minus ``other`` on each volume both ran."""
        d = {(r["family"], r["gen_seed"]): r["miou"] for r in pick(part, method="default")}
        return [d[(r["family"], r["gen_seed"])] - r["miou"] for r in pick(part, method=other)
                if (r["family"], r["gen_seed"]) in d]  # fmt: skip

    for title, held in (("Tuned families", False), ("Held-out family", True)):
        part = pick(rows, held_out=held)
        if not part:
            continue
        families = ", ".join(dict.fromkeys(r["family"] for r in part))
        print(f"\n#### {title} ({families}): mIoU, mean over volumes (worst)\n")
        for case in dict.fromkeys(r["case"] for r in part):
            here = pick(part, case=case)
            ran = [m for m in methods if pick(here, method=m)]
            print(f"\n{case}:\n")
            print("| family | volumes | " + " | ".join(ran) + " |")
            print("|---|---|" + "---|" * len(ran))
            for family in dict.fromkeys(r["family"] for r in here):
                n = len(pick(here, family=family, method="default"))
                cells = [cell([r["miou"] for r in pick(here, family=family, method=m)], n) for m in ran]
                print(f"| {family} | {n} | " + " | ".join(cells) + " |")
            n = len(pick(here, method="default"))
            cells = [cell([r["miou"] for r in pick(here, method=m)], n, bold=True) for m in ran]
            print("| mean | | " + " | ".join(cells) + " |")
            lines = []
            for other in (m for m in ran if m != "default"):  # every method, on the volumes both ran
                d = paired(here, other)
                if d:
                    lines.append(f"default - {other} ({len(d)} volumes): mean {np.mean(d):+.3f}, worst {min(d):+.3f}")
            smallest = [min(r["iou"].values()) for r in pick(here, method="default")] or [float("nan")]
            cover = [r["coverage"] for r in pick(here, method="default")] or [float("nan")]
            secs = ", ".join(f"{m} {np.mean([r['seconds'] for r in pick(here, method=m)]):.0f}" for m in ran)
            worst_class = f"{np.mean(smallest):.2f} on average, {min(smallest):.2f} at worst"
            print("\n" + "".join(f"{line}.\n" for line in lines))
            print(f"default: smallest class IoU {worst_class}; coverage at least {min(cover):.2f}.")
            print(f"Seconds (mean): {secs}.")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--gen-seeds", type=int, nargs="+", default=[3, 4])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--strokes-only", nargs="*", default=["no-cps", "no-updates"], choices=METHODS,
                    help="methods run on the volume-strokes case only (to save time)")  # fmt: skip
    ap.add_argument("--epochs", type=int, default=None, help="epochs for the network methods (default: config)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a config field of the network methods (JSON value)")  # fmt: skip
    ap.add_argument("--regrow", action="append", default=[], metavar="KEY=VALUE",
                    help="also score the default's labels grown again with this setting (JSON value) from the "
                         "same training, as method 'regrown KEY=VALUE' (a clean A/B for the last growth)")  # fmt: skip
    ap.add_argument("--out", help="append each row to this JSON-lines file")
    ap.add_argument("--resume", action="store_true", help="skip rows already in --out")
    ap.add_argument("--summary", metavar="JSONL", help="print the summary tables of a finished run and exit")
    args = ap.parse_args()
    if args.summary:
        summary(args.summary)
        return
    for item in args.set:
        key, _, value = item.partition("=")
        OVERRIDES[key] = json.loads(value)
    for item in args.regrow:
        key, _, value = item.partition("=")
        REGROW[item] = {key: json.loads(value)}
    try:
        check_last_growth(k for overrides in REGROW.values() for k in overrides)
    except SeisgrowError as exc:
        ap.error(str(exc))
    run(args)


if __name__ == "__main__":
    main()
