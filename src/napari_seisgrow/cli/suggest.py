"""``seisgrow suggest``: where one more stroke should help most, from a run's checkpoint.

Reads the checkpoint's last prediction (no network runs when the checkpoint holds each
network's own answer, as a finished run's does) and prints the ranked places in line numbers and
sample times, or JSON for a batch workflow.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ..engine.channels import StratGrid
from ..engine.config import GrowConfig
from ..engine.data import normalise
from ..engine.dead import live_samples
from ..engine.suggest import Layers, Suggestion, suggest_places
from ..engine.units import unit_doubt
from ..io import SeisgrowError, load_volume, read_labels
from ..io.geometry import Geometry


def _load(d: Path, name: str) -> np.ndarray | None:
    path = d / f"{name}.npy"
    if not path.is_file():
        return None
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SeisgrowError(f"checkpoint {d} is incomplete or damaged ({name}.npy: {type(exc).__name__})") from exc


def _row(rank: int, s: Suggestion, g: Geometry, names: dict[int, str]) -> dict:
    il, xl, t = g.inlines, g.crosslines, g.samples
    return {
        "rank": rank,
        "inline": int(il[s.inline]),
        "crosslines": [int(xl[s.traces[0]]), int(xl[s.traces[1] - 1])],
        "samples": [float(t[s.samples[0]]), float(t[s.samples[1] - 1])],
        "sample_unit": g.sample_unit,
        "classes": list(s.classes),
        "score": round(s.score, 4),
        "disagreement": None if s.disagreement is None else round(s.disagreement, 4),
        "source": s.source,
        "reason": s.reason(names),
        "index": {"inline": s.inline, "traces": list(s.traces), "samples": list(s.samples)},
    }


def _layers(d: Path, meta: dict, volume, seeds: np.ndarray, live: np.ndarray) -> Layers | None:
    """The checkpoint's units as ordered layers and the doubt of their boundaries, when its last
    labels hold layers and it keeps the coordinate they were placed on."""
    units = [int(c) for c in meta.get("layered_units", [])]
    grown, tau = _load(d, "grown"), _load(d, "strat")
    if len(units) < 2 or grown is None or tau is None or not meta.get("strat_step"):
        return None
    config = GrowConfig.from_json(d / "config.json", saved=True)
    x, _ = normalise(volume.data, config.clip_percentile)
    grid = StratGrid(tau=tau, shape=tuple(meta["shape"]), step=tuple(meta["strat_step"]))
    for name in ("train_seeds", "seeds"):  # the strokes the layers were placed from, as the run kept them
        kept = _load(d, name)
        if kept is not None:
            seeds = kept
            break
    kept = {(int(a), int(b)): float(v) for a, b, v in meta.get("levels_kept", [])}  # the levels the labels have
    pinned = {(int(a), int(b)) for a, b in meta.get("levels_pinned", [])}
    doubt, other = unit_doubt(grid.full(), x, seeds, units, live, kept=kept, pinned=pinned)
    return Layers(grown, tuple(units), doubt, other)


def cmd_suggest(args: argparse.Namespace) -> int:
    d = Path(args.checkpoint)
    try:
        meta = json.loads((d / "meta.json").read_text())
        n_classes = int(meta["n_classes"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SeisgrowError(f"{d} is not a napari-seisgrow checkpoint: {exc}") from exc
    options = {"iline": args.iline, "xline": args.xline} if str(args.volume).lower().endswith((".sgy", ".segy")) else {}
    volume = load_volume(args.volume, **options)
    winner, confidence = _load(d, "winner"), _load(d, "confidence")
    if winner is None or confidence is None:
        raise SeisgrowError(f"checkpoint {d} holds no prediction yet: train at least one epoch")
    if tuple(winner.shape) != tuple(volume.shape):
        raise SeisgrowError(f"checkpoint {d} was made for shape {tuple(winner.shape)}; this volume is {volume.shape}")
    seeds = read_labels(args.seeds) if args.seeds else _load(d, "seeds")
    if seeds is None:
        raise SeisgrowError(f"checkpoint {d} does not keep its seeds (an older run): pass them with --seeds")
    if tuple(seeds.shape) != tuple(volume.shape):
        raise SeisgrowError(f"seeds {tuple(seeds.shape)} and volume {volume.shape} differ in shape")
    nets = [w for w in (_load(d, "winner_net1"), _load(d, "winner_net2")) if w is not None]
    live = live_samples(np.asarray(volume.data))
    if len(nets) < 2:
        print("seisgrow: the checkpoint lacks each network's own answer; ranking by confidence alone", file=sys.stderr)
    layers = _layers(d, meta, volume, np.asarray(seeds), live)
    places = suggest_places(winner, confidence, np.asarray(seeds), n_classes, nets or None, live=live, n=args.n,
                            layers=layers)  # fmt: skip
    names = {k: f"class {k}" for k in range(1, n_classes + 1)}
    rows = [_row(k + 1, s, volume.geometry, names) for k, s in enumerate(places)]
    if args.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print("no suggestion: the prediction is sure everywhere away from the seeds")
        return 0
    unit = volume.geometry.sample_unit or "samples"
    print(f"{'rank':>4}  {'inline':>6}  {'crosslines':>11}  {unit:>13}  {'score':>5}  why")
    for r in rows:
        xl, t = r["crosslines"], r["samples"]
        where = f"{r['rank']:>4}  {r['inline']:>6}  {xl[0]:>5}-{xl[1]:<5}  {t[0]:>6g}-{t[1]:<6g}"
        print(f"{where}  {r['score']:.3f}  {r['reason']}")
    return 0


def add_suggest_parser(sub) -> None:
    p = sub.add_parser("suggest", help="where one more stroke should help most, from a run's checkpoint")
    p.add_argument("volume", help="the volume the run trained on: .sgy/.segy, .npy or .zarr")
    p.add_argument("--checkpoint", required=True, help="the run's checkpoint folder (seisgrow grow --checkpoint)")
    p.add_argument("--seeds", help="the seeds, if the checkpoint does not keep them (.npy or .zarr)")
    p.add_argument("-n", type=int, default=10, help="how many places (default 10)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--iline", type=int, default=189)
    p.add_argument("--xline", type=int, default=193)
    p.set_defaults(func=cmd_suggest)
