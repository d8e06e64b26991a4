"""The judge of real-geology labels: eight real F3 sections against their dense interpretation.

    python benchmarks/f3_sections.py                                   # the rules without networks (seconds)
    python benchmarks/f3_sections.py --methods default --regrow unit_model=off    # the method (about 20 min a protocol)
    python benchmarks/f3_sections.py --methods default --set epochs=8 --out out/f3.jsonl
    python benchmarks/f3_sections.py --summary out/f3.jsonl            # the docs/benchmarks.md tables
    python benchmarks/f3_sections.py --methods layered --pictures docs/images/f3
    python benchmarks/f3_sections.py --suggestions                     # doubt and a simulated interpreter
    python benchmarks/f3_sections.py --boundaries                      # where the layered boundaries are wrong
    python benchmarks/f3_sections.py --horizons                        # the coordinate along the truth's boundaries

Data: ``../shared/data/f3-sections/`` (``--data``): each section's SEG-Y and, in ``truth/``, its
dense interpretation in ten stratigraphic units and two fixed stroke sets, ``scribbles`` (three
40-sample strokes per unit in random directions) and ``bedding`` (two 60-trace strokes per unit
along its middle). Every score counts unlabelled pixels as wrong; ``miou_live_traces`` is the same
score leaving out the traces that hold no data at all (``engine.dead``): the judge keeps every
pixel, this says how much of the gap lies where a section has no data.

Methods: ``coordinate`` (each pixel takes the class of the stroke nearest in the stratigraphic
coordinate: the structural baseline), ``layered`` (the units as ordered layers,
``engine/units.py``, from the strokes and the coordinate alone, no networks; ``layered-unfollowed``
without moving the boundaries onto their reflectors, ``engine/reflectors.py``; ``layered-uncentred``
without centring the units painted along their bedding on their strokes, ``engine/bedding.py``;
``ceiling`` the layered rule with each boundary's level taken from the truth, what it could reach
with every level right) and ``default``
(the whole method as ``seisgrow grow`` runs it; ``--set KEY=VALUE`` changes a setting for it and
``--regrow KEY=VALUE`` adds the same training's labels grown again with a last-growth setting).
One JSON line per section, protocol and method: mIoU, per-unit IoU, coverage, seconds.

``--suggestions`` checks where the layered labels say they are in doubt (``engine.units.unit_doubt``), from
the bedding strokes: the share of wrong pixels in the top-10 suggested windows against random
windows of the same sizes and the whole section, then a simulated interpreter who adds one stroke
three times, at the top suggestion, at a random window, or at the window with the most errors
(each stroke 21 traces by 3 samples of the true unit, on the wrong pixel nearest the window's
centre when there is one).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from baselines import nearest_in_coordinate  # noqa: E402
from f3_draws import redraw  # noqa: E402

from napari_seisgrow.engine import GrowConfig, Session  # noqa: E402
from napari_seisgrow.engine.channels import compute_strat  # noqa: E402
from napari_seisgrow.engine.config import check_last_growth  # noqa: E402
from napari_seisgrow.engine.data import normalise  # noqa: E402
from napari_seisgrow.engine.dead import live_samples  # noqa: E402
from napari_seisgrow.engine.suggest import rank_places  # noqa: E402
from napari_seisgrow.engine.units import (  # noqa: E402
    UNIT,
    boundary_choices,
    infer_kinds,
    layered_labels,
    unit_doubt,
)
from napari_seisgrow.io import load_volume  # noqa: E402
from napari_seisgrow.io.errors import SeisgrowError  # noqa: E402
from napari_seisgrow.metrics import segmentation_scores  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "f3-sections"
PROTOCOLS = ("scribbles", "bedding")
METHODS = ("coordinate", "layered", "layered-unfollowed", "layered-uncentred", "ceiling", "default")


def sections(data: Path) -> list[str]:
    return sorted(p.stem for p in data.glob("*.sgy") if (data / "truth" / f"{p.stem}.npz").is_file())


def load_section(data: Path, name: str) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Amplitudes as the plugin reads the SEG-Y (1 x traces x samples for an inline, traces x 1 x
    samples for a crossline), the stroke sets and the truth in that shape."""
    vol = load_volume(data / f"{name}.sgy")
    z = np.load(data / "truth" / f"{name}.npz")
    shape = vol.data.shape
    strokes = {p: z[f"strokes_{p}"].reshape(shape) for p in PROTOCOLS}
    return np.asarray(vol.data, np.float32), strokes, z["truth"].reshape(shape)


def parse_settings(items: list[str]) -> dict:
    out = {}
    for item in items:
        key, _, raw = item.partition("=")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def on_truth_boundaries(tau: np.ndarray, truth: np.ndarray) -> dict[int, np.ndarray]:
    """Per boundary k between the truth's units k and k + 1, the coordinate on the truth's own
    boundary (its first sample below unit k, on the traces where that lies inside the trace)."""
    nt = truth.shape[-1]
    t, tr = tau.reshape(-1, nt), truth.reshape(-1, nt)
    out = {}
    for k in range(1, int(truth.max())):
        first = np.argmax(tr > k, axis=1)
        inside = first > 0
        out[k] = t[inside, first[inside]]
    return out


def truth_levels(tau: np.ndarray, truth: np.ndarray) -> dict[tuple[int, int], float]:
    """Per pair of consecutive units, the median coordinate level of the truth's boundary."""
    return {(k, k + 1): float(np.median(v)) for k, v in on_truth_boundaries(tau, truth).items() if v.size}


def horizon_spread(tau: np.ndarray, truth: np.ndarray) -> list[float]:
    """Per interpreted boundary, how far the coordinate strays along it: the median absolute
    deviation (samples) of the coordinate on the truth's boundary about its median. 0 for a
    coordinate constant along every interpreted horizon."""
    return [float(np.median(np.abs(v - np.median(v)))) if v.size else float("nan")
            for v in on_truth_boundaries(tau, truth).values()]  # fmt: skip


def run_rules(method: str, x: np.ndarray, seeds: np.ndarray, truth: np.ndarray | None = None) -> np.ndarray:
    """``ceiling`` (needs ``truth``): the layered rule with each boundary's level of the coordinate
    taken from the truth, the rest as the rule does it (strokes, reflectors, order): what the rule
    can reach with every level right, so what is left is the coordinate's shape along the section."""
    xn, _ = normalise(x, 99.5)
    tau = compute_strat(xn).full()
    if method == "coordinate":
        return nearest_in_coordinate(tau, seeds)
    live = live_samples(xn)
    n = int(seeds.max())
    units = infer_kinds(seeds, tau, n, live).of(UNIT)
    kept = truth_levels(tau, truth) if method == "ceiling" else None
    return layered_labels(tau, xn, seeds, units, live, follow=method != "layered-unfollowed", kept=kept,
                          centre_lines=method != "layered-uncentred")  # fmt: skip


def run_default(x: np.ndarray, seeds: np.ndarray, settings: dict, regrow: dict[str, dict]) -> dict[str, np.ndarray]:
    cfg = GrowConfig(device="cpu").with_overrides(**settings)
    session = Session(x, seeds, cfg)
    for _ in session.run():
        pass
    out = {"default": np.array(session.grown)}
    base = session.config
    for label, overrides in regrow.items():
        session.config = base  # each from the run's own settings: they never add up
        out[label] = np.array(session.regrow(**overrides))
    return out


def score_row(name: str, protocol: str, method: str, labels: np.ndarray, truth: np.ndarray, secs: float,
              draw: int = 0, live: np.ndarray | None = None) -> dict:  # fmt: skip
    """The judge's score (every pixel) and, with ``live`` (traces x samples that hold data),
    ``miou_live_traces``: the same leaving out the traces without a single live sample. Three of
    the sections end in 50 such traces, which the interpretation labels unit 3 from sample 38 to
    the bottom: no labelling from the data can reach that. The mute above the first live sample
    of a trace stays in (the interpretation's unit 1 lies mostly there)."""
    s = segmentation_scores(labels, truth)
    row = {"section": name, "protocol": protocol, "draw": draw, "method": method, "miou": round(s["miou"], 4),
           "iou": s["iou"], "coverage": round(s["coverage"], 4), "seconds": round(secs, 1)}  # fmt: skip
    if live is not None:
        traces = np.broadcast_to(live.any(axis=-1, keepdims=True), live.shape)
        row["miou_live_traces"] = round(segmentation_scores(labels[traces], truth[traces])["miou"], 4)
    return row


def picture(path: Path, x: np.ndarray, strokes: dict[str, np.ndarray], labels: dict[str, np.ndarray],
            truth: np.ndarray, title: str) -> None:  # fmt: skip
    """Per protocol: seismic with strokes, the labels, and the pixels they get wrong."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from napari_seisgrow.classes import CLASS_COLOURS

    cmap = ListedColormap(CLASS_COLOURS[:11])
    sec = np.squeeze(x).T
    clip = float(np.percentile(np.abs(sec), 99))
    fig, axes = plt.subplots(len(labels), 3, figsize=(15, 3.0 * len(labels)), squeeze=False)
    for row, (protocol, lab) in zip(axes, labels.items(), strict=True):
        s, lb, tr = np.squeeze(strokes[protocol]).T, np.squeeze(lab).T, np.squeeze(truth).T
        row[0].imshow(sec, cmap="gray", vmin=-clip, vmax=clip, aspect="auto")
        row[0].imshow(np.ma.masked_equal(s, 0), cmap=cmap, vmin=0, vmax=10, aspect="auto", interpolation="nearest")
        row[0].set_title(f"{protocol} strokes")
        row[1].imshow(lb, cmap=cmap, vmin=0, vmax=10, aspect="auto", interpolation="nearest")
        row[1].contour(tr, levels=np.arange(1.5, 10), colors="k", linewidths=0.4)
        miou = segmentation_scores(lab, truth)["miou"]
        row[1].set_title(f"labels (truth boundaries in black), mIoU {miou:.3f}")
        row[2].imshow(sec, cmap="gray", vmin=-clip, vmax=clip, aspect="auto")
        row[2].imshow(np.ma.masked_equal((lb != tr).astype(np.uint8), 0), cmap="autumn", aspect="auto",
                      interpolation="nearest", alpha=0.8)  # fmt: skip
        row[2].set_title(f"wrong pixels: {100 * float((lb != tr).mean()):.1f} %")
        for ax in row:
            ax.set_xlabel("trace")
            ax.set_ylabel("sample")
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=60)
    plt.close(fig)


def _layered(xn: np.ndarray, tau: np.ndarray, seeds: np.ndarray, live: np.ndarray, kept: dict | None = None,
             kept_levels: dict | None = None, pinned: frozenset = frozenset()):  # fmt: skip
    """The layered labels and their units; ``kept``, ``kept_levels``, ``pinned``: the kinds,
    boundary levels and pinned boundaries of the interpreter's earlier labels, which a run keeps
    when strokes are added (``infer_kinds``, ``kept_level``, ``boundary_choices``)."""
    kinds = infer_kinds(seeds, tau, int(seeds.max()), live, kept=kept)
    units = kinds.of(UNIT)
    return layered_labels(tau, xn, seeds, units, live, kept=kept_levels, pinned=pinned), units


def _stroke_in(window, truth: np.ndarray, wrong: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The simulated interpreter's stroke in one window (21 traces by 3 samples of the true unit)."""
    (t0, t1), (s0, s1) = window
    sub = wrong[0, t0:t1, s0:s1]
    if sub.any():
        pts = np.argwhere(sub)
        tc, sc = pts[np.argmin(np.abs(pts - [(t1 - t0) // 2, (s1 - s0) // 2]).sum(1))] + [t0, s0]
    else:
        tc, sc = (t0 + t1) // 2, (s0 + s1) // 2
    unit = truth[0, tc, sc]
    out = seeds.copy()
    box = (0, slice(max(0, tc - 10), tc + 11), slice(max(0, sc - 1), sc + 2))
    out[box] = np.where(truth[box] == unit, unit, out[box])
    return out


def suggestion_rows(name: str, x: np.ndarray, strokes: np.ndarray, truth: np.ndarray, rounds: int = 3,
                    draw: int = 0) -> dict:  # fmt: skip
    n, nt = x.reshape(-1, x.shape[-1]).shape
    xn, _ = normalise(x.reshape(1, n, nt), 99.5)
    truth, seeds = truth.reshape(1, n, nt), strokes.reshape(1, n, nt)
    tau, live = compute_strat(xn).full(), live_samples(xn)
    rng = np.random.default_rng(0)
    labels, units = _layered(xn, tau, seeds, live)
    kept = {c: UNIT if c in units else "body" for c in np.unique(seeds[seeds > 0]).tolist()}
    kept_levels, pins = boundary_choices(tau, xn, seeds, units, live)
    wrong = labels != truth
    picks = rank_places(unit_doubt(tau, xn, seeds, units, live)[0], seeds, labels, n=10, live=live)
    top = np.mean([wrong[0, p.traces[0] : p.traces[1], p.samples[0] : p.samples[1]].mean() for p in picks])
    rand = []
    for p in picks * 20:
        wt, ws = p.traces[1] - p.traces[0], p.samples[1] - p.samples[0]
        a, b = rng.integers(0, n - wt + 1), rng.integers(0, nt - ws + 1)
        rand.append(wrong[0, a : a + wt, b : b + ws].mean())
    row = {"section": name, "protocol": "bedding", "draw": draw, "wrong_section": round(float(wrong[live].mean()), 4),
           "wrong_top10": round(float(top), 4), "wrong_random": round(float(np.mean(rand)), 4),
           "miou_start": round(segmentation_scores(labels, truth)["miou"], 4)}  # fmt: skip
    for policy in ("suggested", "random", "largest-error"):
        s_now, lab, now_units, now_kept = seeds, labels, units, dict(kept)
        now_levels, now_pins = dict(kept_levels), pins
        for _ in range(rounds):
            bad = lab != truth
            if policy == "suggested":
                doubt = unit_doubt(tau, xn, s_now, now_units, live, kept=now_levels, pinned=now_pins)[0]
                got = rank_places(doubt, s_now, lab, n=1, live=live)
            elif policy == "largest-error":
                got = rank_places(bad.astype(np.float32), s_now, lab, n=1, live=live, edge=0)
            else:
                a, b = int(rng.integers(0, n - 32 + 1)), int(rng.integers(0, nt - 32 + 1))
                got = [((a, a + 32), (b, b + 32))]
            if not got:
                break
            window = got[0] if policy == "random" else (got[0].traces, got[0].samples)
            s_now = _stroke_in(window, truth, bad, s_now)
            lab, now_units = _layered(xn, tau, s_now, live, now_kept, now_levels, now_pins)
            # as a run does after each labelling: what it decided is kept for the next one
            now_kept.update({c: UNIT if c in now_units else "body" for c in np.unique(s_now[s_now > 0]).tolist()})
            levels, now_pins = boundary_choices(tau, xn, s_now, now_units, live, now_levels, now_pins)
            now_levels.update(levels)
        row[f"miou_{policy}"] = round(segmentation_scores(lab, truth)["miou"], 4)
    return row


def _depths(labels: np.ndarray, n_units: int) -> np.ndarray:
    """Per trace, the first sample below each boundary 1..n_units - 1 (the count of samples above
    it): a layered labelling as depths, so that one boundary can be swapped for the truth's."""
    t = labels.reshape(-1, labels.shape[-1])
    return np.stack([(t <= k).sum(1) for k in range(1, n_units)], 1)


def _from_depths(depths: np.ndarray, nt: int) -> np.ndarray:
    depths = np.minimum.accumulate(depths[:, ::-1], axis=1)[:, ::-1]  # kept in order down the trace
    z = np.arange(nt)[None, :]
    return (1 + (z[:, :, None] >= depths[:, None, :]).sum(-1)).astype(np.uint8)


def boundary_rows(name: str, protocol: str, labels: np.ndarray, truth: np.ndarray, seeds: np.ndarray) -> list[dict]:
    """Per boundary between consecutive units k and k + 1: how far the labels put it from the
    truth's (samples, + deeper) as one offset along the section (the median) and a spread about it,
    the mean error within 30 traces of a stroke of either unit and beyond 100, and what the mIoU
    would gain with this boundary alone where the truth has it (the rest kept, order kept).
    Tells a wrong choice of reflector (a large median, equal near and far) from drift (a large
    spread, growing away from the strokes)."""
    nt = truth.shape[-1]
    t, lab, st = (a.reshape(-1, nt) for a in (truth, labels, seeds))
    base = segmentation_scores(lab, t)["miou"]
    n_units = int(t.max())
    dt, dl = _depths(t, n_units), _depths(lab, n_units)
    rows = []
    for k in range(n_units - 1):
        both = (t == k + 1).any(1) & (t == k + 2).any(1)
        if not both.any():
            continue
        err = (dl[:, k] - dt[:, k])[both].astype(np.float64)
        painted = ((st == k + 1) | (st == k + 2)).any(1)
        reach = ndimage.distance_transform_edt(~painted)[both] if painted.any() else np.full(err.shape, np.inf)
        swapped = dl.copy()
        swapped[:, k] = dt[:, k]
        gain = segmentation_scores(_from_depths(swapped, nt), t)["miou"] - base
        near, far = np.abs(err[reach < 30]), np.abs(err[reach >= 100])
        rows.append({"section": name, "protocol": protocol, "boundary": k + 1,
                     "offset": float(np.median(err)), "spread": round(float(err.std()), 2),
                     "error_near": round(float(near.mean()), 2) if near.size else None,
                     "error_far": round(float(far.mean()), 2) if far.size else None,
                     "gain_if_right": round(float(gain), 4)})  # fmt: skip
    return rows


def _mean_of(rows: list[dict], key: str) -> float:
    v = [r[key] for r in rows if r[key] is not None]
    return float(np.mean(v)) if v else float("nan")


def boundary_summary(rows: list[dict]) -> str:
    """Per protocol and boundary, means over the sections."""
    head = "| protocol | boundary | abs offset | spread | error near strokes | error far | mIoU gain if right |"
    out = [head, "|---|---|---|---|---|---|---|"]
    for protocol in PROTOCOLS:
        for b in sorted({r["boundary"] for r in rows if r["protocol"] == protocol}):
            mine = [r for r in rows if r["protocol"] == protocol and r["boundary"] == b]
            off = float(np.mean([abs(r["offset"]) for r in mine]))
            cells = [f"{off:.1f}"] + [f"{_mean_of(mine, k):.1f}" for k in ("spread", "error_near", "error_far")]
            cells.append(f"{_mean_of(mine, 'gain_if_right'):+.3f}")
            out.append(f"| {protocol} | {b} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def summary(rows: list[dict]) -> str:
    """One markdown table per protocol: sections down, methods across, then the mean and the worst."""
    out = []
    methods = list(dict.fromkeys(r["method"] for r in rows))
    for protocol, redrawn in [(p, d) for p in PROTOCOLS for d in (False, True)]:
        mine = [r for r in rows if r["protocol"] == protocol and (r.get("draw", 0) > 0) == redrawn]
        if not mine:
            continue
        names = sorted({r["section"] for r in mine})
        table = {}
        for key in {(r["section"], r["method"]) for r in mine}:
            same = [r for r in mine if (r["section"], r["method"]) == key]
            miou = float(np.mean([r["miou"] for r in same]))
            live = [r["miou_live_traces"] for r in same if "miou_live_traces" in r]
            table[key] = {"miou": miou, "coverage": min(r["coverage"] for r in same),
                          "live": float(np.mean(live)) if len(live) == len(same) else None}  # fmt: skip
        draws = len({r.get("draw", 0) for r in mine})
        what = f"{protocol}, mean of {draws} further draws" if redrawn else f"{protocol}, the given draw"
        out.append(f"\n{what} (mIoU; coverage 1.00 unless shown)\n")
        out.append("| section | " + " | ".join(methods) + " |")
        out.append("|---" * (len(methods) + 1) + "|")
        for n in names:
            cells = []
            for m in methods:
                r = table.get((n, m))
                cov = "" if r is None or r["coverage"] >= 0.9995 else f" ({r['coverage']:.0%})"
                cells.append("" if r is None else f"{r['miou']:.3f}{cov}")
            out.append(f"| {n.removeprefix('f3_')} | " + " | ".join(cells) + " |")
        for what, fn in (("mean", np.mean), ("worst", np.min)):
            cells = []
            for m in methods:
                v = [table[(n, m)]["miou"] for n in names if (n, m) in table]
                cells.append(f"**{fn(v):.3f}**" if len(v) == len(names) else "")
            out.append(f"| {what} | " + " | ".join(cells) + " |")
        cells = []
        for m in methods:
            v = [table[(n, m)]["live"] for n in names if (n, m) in table and table[(n, m)]["live"] is not None]
            cells.append(f"{np.mean(v):.3f}" if len(v) == len(names) else "")
        if any(cells):
            out.append("| mean, dead traces left out | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--sections", nargs="*", default=None, help="section names (default: all with a truth)")
    ap.add_argument("--protocols", nargs="*", default=list(PROTOCOLS), choices=PROTOCOLS)
    ap.add_argument("--methods", nargs="*", default=["coordinate", "layered"], choices=METHODS)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a setting for the default")
    ap.add_argument("--regrow", action="append", default=[], metavar="KEY=VALUE",
                    help="also score the default's labels grown again with this last-growth setting")  # fmt: skip
    ap.add_argument("--out", type=Path, default=None, help="append one JSON line per row")
    ap.add_argument("--pictures", type=Path, default=None, help="a PNG per section of the last method's labels")
    ap.add_argument("--summary", type=Path, default=None, help="print the tables of a --out file and stop")
    ap.add_argument("--suggestions", action="store_true", help="check the layered doubt and a simulated interpreter")
    ap.add_argument("--boundaries", action="store_true", help="where the layered labels' boundaries are wrong")
    ap.add_argument(
        "--horizons", action="store_true", help="how far the coordinate strays along the truth's boundaries"
    )
    ap.add_argument("--draws", type=int, default=0, help="also score this many further draws of each protocol")
    ap.add_argument("--no-given", action="store_true", help="skip the given stroke draws (with --draws)")
    args = ap.parse_args(argv)
    if args.suggestions:
        rows = []
        for name in args.sections or sections(args.data):
            x, strokes, truth = load_section(args.data, name)
            draws = [] if args.no_given else [(0, strokes["bedding"])]
            draws += [(d, redraw("bedding", truth, d)) for d in range(1, args.draws + 1)]
            for draw, seeds in draws:
                rows.append(suggestion_rows(name, x, seeds, truth, draw=draw))
                print(json.dumps(rows[-1]), flush=True)
        keys = [k for k in rows[0] if k not in ("section", "protocol", "draw")]
        for what, mine in (("given", [r for r in rows if r["draw"] == 0]), ("further", [r for r in rows if r["draw"]])):
            if mine:
                print(f"| mean, {what} draws | " + " | ".join(f"{k} {np.mean([r[k] for r in mine]):.3f}" for k in keys)
                      + f" | suggested beat random on {sum(r['miou_suggested'] > r['miou_random'] for r in mine)} of "
                      f"{len(mine)} |")  # fmt: skip
        return
    if args.horizons:
        means = []
        for name in args.sections or sections(args.data):
            x, _, truth = load_section(args.data, name)
            spread = horizon_spread(compute_strat(normalise(x, 99.5)[0]).full(), truth)
            means.append(float(np.nanmean(spread)))
            print(f"| {name.removeprefix('f3_')} | " + " | ".join(f"{v:.1f}" for v in spread) + f" | {means[-1]:.2f} |")
        print(f"mean over the sections: {np.mean(means):.2f} samples")
        return
    if args.boundaries:
        rows = []
        for name in args.sections or sections(args.data):
            x, strokes, truth = load_section(args.data, name)
            for protocol in args.protocols:
                labels = run_rules("layered", x, strokes[protocol])
                rows += boundary_rows(name, protocol, labels, truth, strokes[protocol])
        for row in rows:
            print(json.dumps(row), flush=True)
        print(boundary_summary(rows))
        return
    if args.summary:
        print(summary([json.loads(line) for line in args.summary.read_text().splitlines() if line.strip()]))
        return
    settings = parse_settings(args.set)
    regrow = {f"regrown {item}": parse_settings([item]) for item in args.regrow}
    try:
        check_last_growth(k for overrides in regrow.values() for k in overrides)
    except SeisgrowError as exc:
        ap.error(str(exc))
    tag = "".join(f" {k}={json.dumps(v)}" for k, v in settings.items())
    rows = []
    for name in args.sections or sections(args.data):
        x, strokes, truth = load_section(args.data, name)
        live = live_samples(x)
        shown: dict[str, np.ndarray] = {}
        cases = [] if args.no_given else [(p, 0, strokes[p]) for p in args.protocols]
        cases += [(p, d, redraw(p, truth, d)) for d in range(1, args.draws + 1) for p in args.protocols]
        for protocol, draw, seeds in cases:
            for method in args.methods:
                t0 = time.perf_counter()
                if method == "default":
                    results = run_default(x, seeds, settings, regrow)
                    results = {("default" + tag if k == "default" else k): v for k, v in results.items()}
                else:
                    results = {method: run_rules(method, x, seeds, truth)}
                secs = time.perf_counter() - t0
                for label, labels in results.items():
                    row = score_row(name, protocol, label, labels, truth, secs, draw, live)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    if args.out:
                        args.out.parent.mkdir(parents=True, exist_ok=True)
                        with args.out.open("a") as f:
                            f.write(json.dumps(row) + "\n")
                if draw == 0:
                    shown[protocol] = next(iter(results.values()))
        if args.pictures:
            picture(args.pictures / f"{name}.png", x, strokes, shown, truth, f"{name}: {args.methods[-1]}")
    print(summary(rows))


if __name__ == "__main__":
    main()
